package review

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/parser"
)

// Clause is a grain- or filter-deciding clause of a query: what it is and where it starts in
// the SQL it was read from (a byte offset).
type Clause struct {
	Text   string
	Offset int
}

// GrainClauses lists the clauses of sql that decide which rows (and how many) a model returns:
// WHERE, GROUP BY, HAVING, QUALIFY, DISTINCT and join kinds and conditions, each printed from
// the parsed tree so formatting and comments do not count as changes. ok is false when the SQL
// does not parse: then nothing can be said about its grain.
func GrainClauses(sql, dialectName string) (clauses []Clause, ok bool) {
	d, found := dialect.Lookup(dialectName)
	if !found {
		d = dialect.Generic()
	}
	f, errs := parser.Parse(sql, d)
	if f == nil || len(errs) > 0 {
		return nil, false
	}
	add := func(kind string, n ast.Node) {
		text := kind
		if n != nil {
			text += " " + normalize(ast.String(n))
		}
		off := 0
		if n != nil {
			off = int(n.Pos())
		}
		clauses = append(clauses, Clause{Text: text, Offset: off})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Select:
			if x.Distinct {
				clauses = append(clauses, Clause{Text: "DISTINCT", Offset: int(x.Pos())})
			}
			for _, e := range x.DistinctOn {
				add("DISTINCT ON", e)
			}
			if x.Where != nil {
				add("WHERE", x.Where)
			}
			if x.GroupBy != nil {
				add("GROUP BY", x.GroupBy)
			}
			if x.Having != nil {
				add("HAVING", x.Having)
			}
			if x.Qualify != nil {
				add("QUALIFY", x.Qualify)
			}
		case *ast.Join:
			kind := strings.ToUpper(strings.TrimSpace(x.Kind))
			if kind == "" {
				kind = "INNER"
			}
			if x.Natural {
				kind = "NATURAL " + kind
			}
			switch {
			case x.On != nil:
				add(kind+" JOIN ON", x.On)
			case len(x.Using) > 0:
				names := make([]string, len(x.Using))
				for i, u := range x.Using {
					names[i] = strings.ToLower(u.Name)
				}
				clauses = append(clauses, Clause{Text: kind + " JOIN USING (" + strings.Join(names, ", ") + ")", Offset: int(x.Pos())})
			default:
				clauses = append(clauses, Clause{Text: kind + " JOIN", Offset: int(x.Pos())})
			}
		}
		return true
	})
	return clauses, true
}

func normalize(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// GrainDiff compares the grain clauses of a base and a head query: the head's clauses that the
// base lacks (added or changed) and the base's that the head lacks, as multisets.
func GrainDiff(base, head []Clause) (added []Clause, removed []string) {
	count := map[string]int{}
	for _, c := range base {
		count[c.Text]++
	}
	for _, c := range head {
		if count[c.Text] > 0 {
			count[c.Text]--
			continue
		}
		added = append(added, c)
	}
	for t, n := range count {
		for ; n > 0; n-- {
			removed = append(removed, t)
		}
	}
	sort.Strings(removed)
	return added, removed
}

// Classify decides a changed model's classification from its column changes, their
// downstream readers and its grain diff, and returns the reasons in words.
func Classify(m *change.ModelChange, grainAdded []Clause, grainRemoved []string) (string, []string) {
	var reasons []string
	class := NonBreaking
	if len(grainAdded) > 0 || len(grainRemoved) > 0 {
		class = Breaking
		for _, c := range grainAdded {
			reasons = append(reasons, "grain or filter changed: "+clip(c.Text, 120))
		}
		for _, t := range grainRemoved {
			reasons = append(reasons, "grain or filter removed: "+clip(t, 120))
		}
	}
	if m.Change == change.Removed && len(m.Impact) > 0 {
		class = Breaking
		reasons = append(reasons, fmt.Sprintf("removed, but %s still depend on it", names(m.Impact)))
	}
	if len(m.ColImpact) > 0 {
		if class == NonBreaking {
			class = Partial
		}
		by := map[string][]string{}
		var cols []string
		for _, ci := range m.ColImpact {
			if _, ok := by[ci.Column]; !ok {
				cols = append(cols, ci.Column)
			}
			by[ci.Column] = append(by[ci.Column], shortName(ci.Node)+"."+ci.NodeColumn)
		}
		for _, c := range cols {
			reasons = append(reasons, fmt.Sprintf("column %s (%s) is read by %s", c, columnChangeKind(m, c), nameList(by[c], inlineNames)))
		}
	}
	if class == NonBreaking {
		switch {
		case m.Change == change.Added:
			reasons = append(reasons, "new model")
		case len(m.Impact) == 0:
			reasons = append(reasons, "nothing downstream")
		default:
			reasons = append(reasons, "no downstream column reads a removed, renamed or retyped column")
		}
	}
	return class, reasons
}

func columnChangeKind(m *change.ModelChange, col string) string {
	for _, c := range m.Columns {
		if strings.EqualFold(c.Name, col) || strings.EqualFold(c.From, col) {
			return string(c.Change)
		}
	}
	return "changed"
}

// names lists nodes by their short names for a sentence, capped (nameList).
func names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortName(id)
	}
	return nameList(out, inlineNames)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
