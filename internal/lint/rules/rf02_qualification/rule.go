// Package rf02_qualification implements RF02 (references.qualification): in a query over several tables every column reference is qualified. A value table function (UNNEST in BigQuery and Postgres, GENERATE_SERIES in Postgres) is no table there, and its alias is a value that needs no qualifier, as SQLFluff reads them. Spark's LATERAL VIEW adds columns, not a table, and the unit an INTERVAL spells out (INTERVAL 5 HOURS) is no column.
package rf02_qualification

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is RF02.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF02", Name: "references.qualification", Description: "References should be qualified if select has more than one referenced table.",
	Groups: []string{"references"}, Aliases: []string{"L027"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "ignore_words", Default: "None", Doc: "words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	d := c.Doc
	ignore := c.Opts
	for _, s := range d.Selects {
		values, n := valueTables(d, s)
		if len(s.Tables)-n < 2 {
			continue
		}
		using := usingColumns(d, s)
		for _, r := range d.ColumnRefs(s) {
			if r.Qualified() {
				continue
			}
			i := r.First()
			t := &d.Toks[i]
			if t.Templated || t.Kind == token.Template || otherAlias(d, s, i) || using[t.Text] || values[t.Text] {
				continue
			}
			if lint.IgnoredWord(ignore, t.Text) {
				continue
			}
			c.Report(i, "Unqualified reference '"+t.Text+"' found in select with more than one referenced table/view.")
		}
	}
}

// valueTables counts a select's value table functions (`unnest(xs) as x`) and names their
// aliases: such an item is no table to qualify by, and its alias is itself the value.
func valueTables(d *lint.Doc, s *lint.Select) (map[string]bool, int) {
	aliases, n := map[string]bool{}, 0
	for k := range s.Tables {
		it := &s.Tables[k]
		if !d.ValueTable(it) {
			continue
		}
		n++
		if it.Alias >= 0 {
			aliases[d.Toks[it.Alias].Text] = true
		}
	}
	return aliases, n
}

func usingColumns(d *lint.Doc, s *lint.Select) map[string]bool {
	out := map[string]bool{}
	for _, it := range s.Tables {
		if it.Using < 0 {
			continue
		}
		open := d.Toks[it.Using].Next
		if d.Toks[open].Kind != token.LParen || d.Toks[open].Match < 0 {
			continue
		}
		for j := open + 1; j < d.Toks[open].Match; j++ {
			if d.Toks[j].Kind == token.Ident || d.Toks[j].Kind == token.QuotedIdent {
				out[d.Toks[j].Text] = true
			}
		}
	}
	return out
}

// otherAlias reports whether a name is the alias of a select target other than the one it
// appears in (Snowflake and others let later columns and clauses use earlier aliases).
func otherAlias(d *lint.Doc, s *lint.Select, i int) bool {
	for _, t := range s.Targets {
		if t.Alias < 0 || d.Toks[t.Alias].Text != d.Toks[i].Text {
			continue
		}
		if i >= t.Start && i <= t.End {
			continue
		}
		return true
	}
	return false
}
