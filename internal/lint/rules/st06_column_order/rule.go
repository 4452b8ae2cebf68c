// Package st06_column_order implements ST06 (structure.column_order): in a select list, wildcards come first, then plain columns, literals and casts, then calculations.
package st06_column_order

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is ST06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "ST06", Name: "structure.column_order", Description: "Select wildcards then simple targets before calculations and aggregates.",
	Groups: []string{"structure"}, Aliases: []string{"L034"}, Fixable: false, Layout: false,
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Targets) < 2 || inSetOrInsert(d, s) {
			continue
		}
		band := -1
		seen := [3]bool{}
		bad := false
		for _, t := range s.Targets {
			b := bandOf(d, t)
			for later := b + 1; later < 3; later++ {
				if seen[later] && b < 2 {
					bad = true
				}
			}
			seen[b] = true
			band = b
		}
		_ = band
		if bad {
			c.ReportSpan(s.Kw, s.Kw, s.TargetsEnd(), "")
		}
	}
}

// bandOf: 0 wildcard, 1 plain reference, literal or cast, 2 anything else.
func bandOf(d *lint.Doc, t lint.Target) int {
	if t.Star {
		return 0
	}
	end := t.End
	start := t.Start
	switch {
	case t.Prefix:
		start = d.Toks[t.As].Next
	case t.Alias >= 0:
		end = d.Toks[t.Alias].Prev
		if t.As >= 0 {
			end = d.Toks[t.As].Prev
		}
	}
	if start == end {
		k := d.Toks[start]
		switch {
		case k.Role == lint.RoleIdentifier, k.Kind == token.QuotedIdent, k.Kind == token.Number, k.Kind == token.String, k.Role == lint.RoleNull, k.Role == lint.RoleBool:
			return 1
		}
		return 2
	}
	// dotted reference
	chain := true
	for i := start; i <= end; i = d.Toks[i].Next {
		k := d.Toks[i]
		if !(k.Kind == token.Dot || k.Kind == token.Ident && k.Role == lint.RoleIdentifier || k.Kind == token.QuotedIdent) {
			chain = false
			break
		}
	}
	if chain {
		return 1
	}
	// CAST(...) alone.
	if d.Toks[start].Role == lint.RoleFunction && d.Toks[start].Up == "CAST" {
		open := d.Toks[start].Next
		if d.Toks[open].Match == end {
			return 1
		}
	}
	// x::type, with nothing computed around it.
	for i := start; i <= end; i = d.Toks[i].Next {
		if d.Toks[i].Kind == token.Operator && d.Toks[i].Depth == d.Toks[start].Depth {
			return 2
		}
	}
	// A cast inside a CASE (`case when x then y::int end`) leaves the CASE a calculation.
	inCase := 0
	for i := start; i <= end; i = d.Toks[i].Next {
		if d.Toks[i].Depth == d.Toks[start].Depth {
			switch {
			case d.IsKw(i, "CASE"):
				inCase++
			case d.IsKw(i, "END") && inCase > 0:
				inCase--
			}
		}
		if d.Toks[i].Kind == token.DoubleColon && d.Toks[i].Depth == d.Toks[start].Depth && inCase == 0 {
			ops := false
			for j := start; j < i; j = d.Toks[j].Next {
				if d.Toks[j].Kind == token.Operator && d.Toks[j].Depth == d.Toks[start].Depth {
					ops = true
				}
			}
			if !ops {
				return 1
			}
			return 2
		}
	}
	return 2
}

// inSetOrInsert: the order of columns matters in set operations and INSERT ... SELECT.
func inSetOrInsert(d *lint.Doc, s *lint.Select) bool {
	if s.SetOp >= 0 {
		return true
	}
	for _, o := range d.Selects {
		if o.SetOp >= 0 && o.Depth == s.Depth && o.End < s.Kw {
			// s follows a set operator at the same level.
			if d.Toks[o.SetOp].Pos < d.Toks[s.Kw].Pos && nextSelectAfter(d, o.SetOp) == s.Kw {
				return true
			}
		}
	}
	for j := d.Toks[s.Kw].Prev; j >= 0; j = d.Toks[j].Prev {
		t := &d.Toks[j]
		if t.Depth < s.Depth {
			continue
		}
		if d.IsKw(j, "INSERT") || d.IsKw(j, "MERGE") || d.Is(j, "CREATE") {
			return true
		}
	}
	return false
}

func nextSelectAfter(d *lint.Doc, op int) int {
	for j := d.Toks[op].Next; d.More(j); j = d.Toks[j].Next {
		if d.IsKw(j, "SELECT") {
			return j
		}
		if d.Toks[j].Kind == token.EOF {
			break
		}
	}
	return -1
}
