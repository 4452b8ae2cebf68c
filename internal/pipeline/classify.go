package pipeline

import (
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/review"
)

// Classify fills the review's changes (classification, reasons, impact), the impact findings
// and the lineage edges among changed and downstream nodes.
func Classify(cs *change.ChangeSet, rv *review.Review, dialectName string) {
	nodes := map[string]bool{}
	diffs := grainDiffs(cs, dialectName)
	for i, m := range cs.Models {
		added, removed := diffs[i].added, diffs[i].removed
		head := cs.Head.Nodes[m.UniqueID]
		class, reasons := review.Classify(m, added, removed)
		name := dbt.ShortID(m.UniqueID)
		if n := cs.Head.AnyNode(m.UniqueID); n != nil {
			name = n.Name
		}
		c := review.Change{UniqueID: m.UniqueID, Name: name, Path: m.Path, Change: string(m.Change), From: m.From,
			Classification: class, Reasons: reasons, Columns: m.Columns, Impact: m.Impact, ColumnImpact: m.ColImpact}
		if c.Columns == nil {
			c.Columns = []change.ColumnChange{}
		}
		if c.Impact == nil {
			c.Impact = []string{}
		}
		rv.Changes = append(rv.Changes, c)
		nodes[m.UniqueID] = true
		for _, id := range m.Impact {
			nodes[id] = true
		}
		// A lookup the change joins (or stops joining) altogether changes no row: the columns
		// it brings are the column changes' business, not a grain change's. Nor does a clause
		// of a union branch the change adds: it decides which new rows come.
		added, removed = changedJoins(added), changedJoins(removed)
		// A union branch the change removes is said where it was in the head (after the
		// branch before it), each on its own: its rows are gone.
		var rest []review.Clause
		for _, cl := range removed {
			if !cl.Branch {
				rest = append(rest, cl)
				continue
			}
			line := 1
			if cl.At >= 0 {
				line = clauseLine(head, cl.At)
			}
			in := ""
			if cl.In != "" {
				in = " in " + cl.In
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentImpact, Rule: review.RuleGrainChange,
				Severity: review.SeverityWarning, Path: m.Path, Line: line,
				Message: fmt.Sprintf("a union branch (%s%s) is gone: the rows it brought no longer appear in %s; every downstream node (%d) sees it", clipText(cl.Text), in, name, len(m.Impact))})
		}
		removed = rest
		// One source line a Jinja loop renders several times gives one finding: the first
		// rendering's, with how many there are.
		var lines []int
		byLine := map[int][]string{}
		for _, cl := range added {
			line := clauseLine(head, cl.Offset)
			msg := fmt.Sprintf("%s changes which rows %s returns (%s); every downstream node (%d) sees it", firstWord(cl.Text), name, clipText(cl.Text), len(m.Impact))
			if cl.Lookup != "" {
				msg = fmt.Sprintf("%s of the lookup %s changes which of its rows match (%s); %s keeps its rows, but what it takes from %s may change for its downstream nodes (%d)",
					firstWord(cl.Text), cl.Lookup, clipText(cl.Text), name, cl.Lookup, len(m.Impact))
			}
			if _, ok := byLine[line]; !ok {
				lines = append(lines, line)
			}
			if !slices.Contains(byLine[line], msg) {
				byLine[line] = append(byLine[line], msg)
			}
		}
		for _, line := range lines {
			msg := byLine[line][0]
			if n := len(byLine[line]); n > 1 {
				msg += fmt.Sprintf(" (%d renderings of this line, the first shown)", n)
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentImpact, Rule: review.RuleGrainChange,
				Severity: review.SeverityWarning, Path: m.Path, Line: line, Message: msg})
		}
		if len(added) == 0 && len(removed) > 0 {
			var rows, lookups []string
			for _, cl := range removed {
				if cl.Lookup != "" {
					lookups = append(lookups, cl.Text+" (lookup "+cl.Lookup+")")
				} else {
					rows = append(rows, cl.Text)
				}
			}
			msg := fmt.Sprintf("%s no longer has %s; every downstream node (%d) sees other rows", name, clipText(strings.Join(rows, "; ")), len(m.Impact))
			if len(rows) == 0 {
				msg = fmt.Sprintf("%s no longer has %s; it keeps its rows, but what it takes from the lookup may change for its downstream nodes (%d)", name, clipText(strings.Join(lookups, "; ")), len(m.Impact))
			}
			rv.Findings = append(rv.Findings, review.Finding{Agent: review.AgentImpact, Rule: review.RuleGrainChange,
				Severity: review.SeverityWarning, Path: m.Path, Line: 1, Message: msg})
		}
		rv.Findings = append(rv.Findings, downstreamFindings(cs, m)...)
	}
	// Edges among the nodes drawn, from the head graph.
	for id := range nodes {
		var deps []string
		if n := cs.Head.Nodes[id]; n != nil {
			deps = n.DependsOn.Nodes
		} else if e := cs.Head.Exposures[id]; e != nil {
			deps = e.DependsOn.Nodes
		}
		for _, up := range deps {
			if nodes[up] {
				rv.Lineage = append(rv.Lineage, review.Edge{From: up, To: id})
			}
		}
	}
	sort.Slice(rv.Lineage, func(i, j int) bool {
		a, b := rv.Lineage[i], rv.Lineage[j]
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
}

type grainDiff struct{ added, removed []review.Clause }

// changedJoins leaves out the clauses of lookups joined on one side of the change only, and
// those of the rows a change adds (a new union branch's).
func changedJoins(cs []review.Clause) []review.Clause {
	var out []review.Clause
	for _, c := range cs {
		if !c.WholeJoin && !c.NewRows {
			out = append(out, c)
		}
	}
	return out
}

// grainDiffs compares the row-deciding clauses of each modified model's base and head SQL,
// the models in parallel: each is two parses, and a change may touch many large models.
func grainDiffs(cs *change.ChangeSet, dialectName string) []grainDiff {
	out := make([]grainDiff, len(cs.Models))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, m := range cs.Models {
		if m.Change != change.Modified && m.Change != change.Renamed || !m.SQLChanged {
			continue
		}
		baseID := m.UniqueID
		if m.From != "" {
			baseID = m.From
		}
		base, head := cs.Base.Nodes[baseID], cs.Head.Nodes[m.UniqueID]
		if base == nil || head == nil {
			continue
		}
		g.Go(func() error {
			bsql, hsql := renderedSQL(base), renderedSQL(head)
			if review.SameSQL(bsql, hsql, dialectName) {
				return nil // the same tree on both sides: no clause added or removed
			}
			bc, okb := review.GrainClauses(bsql, dialectName)
			hc, okh := review.GrainClauses(hsql, dialectName)
			if okb && okh {
				out[i].added, out[i].removed = review.GrainDiff(bc, hc)
				out[i].removed = movedUpstream(cs.Head, base, head, out[i].removed, dialectName)
			}
			return nil
		})
	}
	_ = g.Wait()
	return out
}

// movedUpstream leaves out the removed clauses that a model the head reads and the base did
// not now applies itself: the filter (a dedup's `where row_num = 1`) moved into a model
// extracted upstream, and the rows the model reads through it are the rows it kept before.
func movedUpstream(p *dbt.Project, base, head *dbt.Node, removed []review.Clause, dialectName string) []review.Clause {
	if len(removed) == 0 || p == nil {
		return removed
	}
	moved := map[string]int{}
	for _, id := range head.DependsOn.Nodes {
		n := p.Nodes[id]
		if n == nil || slices.Contains(base.DependsOn.Nodes, id) {
			continue
		}
		g, ok := review.GrainClauses(renderedSQL(n), dialectName)
		if !ok {
			continue
		}
		for _, c := range g.Clauses {
			if c.Lookup == "" {
				moved[c.Text]++
			}
		}
	}
	var out []review.Clause
	for _, c := range removed {
		if c.Lookup == "" && !c.Branch && moved[c.Text] > 0 {
			moved[c.Text]--
			continue
		}
		out = append(out, c)
	}
	return out
}

func firstWord(s string) string {
	if i := strings.Index(s, " "); i > 0 && strings.HasPrefix(s, "DISTINCT") {
		return "DISTINCT"
	}
	for _, kw := range []string{"WHERE", "GROUP BY", "HAVING", "QUALIFY", "DISTINCT", "UNION", "INTERSECT", "EXCEPT"} {
		if strings.HasPrefix(s, kw) {
			return "the " + kw + " clause"
		}
	}
	return "a join"
}

func clipText(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// renderedSQL is the model's SQL with Jinja rendered (compiled when available).
func renderedSQL(n *dbt.Node) string {
	if n.CompiledCode != "" {
		return n.CompiledCode
	}
	if n.Render != nil && n.Render.Err == nil {
		return n.Render.Output
	}
	return n.RawCode
}

// clauseLine maps an offset of the rendered SQL back to a line of the model's file.
func clauseLine(n *dbt.Node, off int) int {
	if n == nil {
		return 1
	}
	if n.Render != nil && n.Render.Map != nil && renderedSQL(n) == n.Render.Output {
		return n.RenderPosition(off).Line
	}
	return 1 + n.Template.Line
}

// downstreamFindings locates each downstream reader of a removed, renamed or retyped column
// at the first line of its file naming the column.
func downstreamFindings(cs *change.ChangeSet, m *change.ModelChange) []review.Finding {
	var out []review.Finding
	for _, ci := range m.ColImpact {
		n := cs.Head.Nodes[ci.Node]
		if n == nil || n.RelPath == "" {
			continue
		}
		kind := "changed"
		sev := review.SeverityError
		for _, c := range m.Columns {
			if strings.EqualFold(c.Name, ci.Column) || strings.EqualFold(c.From, ci.Column) {
				kind = string(c.Change)
				if c.Change == change.Retyped {
					sev = review.SeverityWarning
					kind = fmt.Sprintf("retyped from %s to %s", c.From, c.To)
				}
			}
		}
		line := wordLine(n, ci.Column)
		out = append(out, review.Finding{Agent: review.AgentImpact, Rule: review.RuleDownstreamColumn, Severity: sev,
			Path: n.RelPath, Line: line,
			Message: fmt.Sprintf("%s.%s reads %s.%s, which this change %s", n.Name, ci.NodeColumn, dbt.ShortID(m.UniqueID), ci.Column, kind)})
	}
	return out
}

func wordLine(n *dbt.Node, word string) int {
	off := 0
	if re, err := regexp.Compile(`(?i)\b` + regexp.QuoteMeta(word) + `\b`); err == nil {
		if loc := re.FindStringIndex(n.RawCode); loc != nil {
			off = loc[0]
		}
	}
	return n.Source().Position(off).Line
}
