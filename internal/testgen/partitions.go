package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// A window that numbers a model's rows or reads a neighbouring row (`row_number()`, `lag()`,
// `lead()` ... `over (partition by issue_id order by ...)`) on the chain of selects that
// produce the output is written because several rows share each partition value: the
// partition key is no key of the model by itself, whatever its place in the select list.
// A row number the chain keeps at 1 is a dedup (dedupKeys), and a window in a select that
// groups or is DISTINCT does not speak for the rows that select returns: neither counts.

// sequenceWindows are the window functions that mean several rows per partition.
var sequenceWindows = map[string]bool{"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true,
	"cume_dist": true, "ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true}

// readPartitions goes up the output chain from the select furthest in and records, for each
// output column that is a partition key of such a window (or a plain copy of one), why.
func (s *sqlSignals) readPartitions() {
	kept := keptAtOne(s.chain)
	known := map[string]string{} // names of the relation the current select reads
	for i := len(s.chain) - 1; i >= 0; i-- {
		cs := s.chain[i]
		star := selectsStar(cs.sel)
		next := map[string]string{}
		// pass records the evidence on name n of the relation read under each name this
		// select outputs it as: a plain reference, or the star when no item computes n.
		pass := func(n, why string) {
			for it, name := range outputs(cs.sel, cs.out) {
				if exprName(it) == n {
					if _, seen := next[name]; !seen {
						next[name] = why
					}
				}
			}
			if star && !outputsName(cs.out, n) {
				if _, seen := next[n]; !seen {
					next[n] = why
				}
			}
		}
		for n, why := range known {
			pass(n, why)
		}
		if cs.sel.GroupBy != nil || cs.sel.Distinct || len(cs.sel.DistinctOn) > 0 {
			known = next
			continue
		}
		for it, alias := range outputs(cs.sel, cs.out) {
			ast.Inspect(it, func(node ast.Node) bool {
				f, ok := node.(*ast.Func)
				if !ok || f.Over == nil || len(f.Over.PartitionBy) == 0 {
					return true
				}
				fn := strings.ToLower(funcName(f))
				if !sequenceWindows[fn] || kept[alias] && unparen(it) == ast.Expr(f) {
					return true
				}
				for _, p := range f.Over.PartitionBy {
					if n := exprName(p); n != "" {
						pass(n, "several rows share each "+n+" ("+fn+"() over (partition by "+n+"))")
					}
				}
				return true
			})
		}
		known = next
	}
	s.partitioned = known
}

// outputsName reports whether a select item outputs name.
func outputsName(out map[ast.Expr]string, name string) bool {
	for _, n := range out {
		if n == name {
			return true
		}
	}
	return false
}

// keptAtOne lists the names the chain's filters keep at 1 (`where rn = 1`, `qualify rn <= 1`,
// `rn < 2`): a row number kept so is a dedup, whose partition is the model's key.
func keptAtOne(chain []chainSelect) map[string]bool {
	kept := map[string]bool{}
	isNum := func(e ast.Expr, text string) bool {
		l, ok := unparen(e).(*ast.Literal)
		return ok && l.Kind == ast.LitNumber && l.Text == text
	}
	for _, cs := range chain {
		for _, clause := range []ast.Expr{cs.sel.Where, cs.sel.Qualify} {
			ast.Inspect(clause, func(n ast.Node) bool {
				b, ok := n.(*ast.Binary)
				if !ok {
					return true
				}
				if (b.Op == "=" || b.Op == "<=") && isNum(b.Y, "1") || b.Op == "<" && isNum(b.Y, "2") {
					if name := exprName(b.X); name != "" {
						kept[name] = true
					}
				}
				return true
			})
		}
	}
	return kept
}
