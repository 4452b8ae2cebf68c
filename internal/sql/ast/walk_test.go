package ast_test

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/parser"
)

// TestInspect checks the walk order, the nil after each node's children, and that pruning a
// subtree skips it.
func TestInspect(t *testing.T) {
	d, _ := dialect.Lookup("snowflake")
	f, errs := parser.Parse("with c as (select a from t) select c.a, f(b) over (partition by d) from c where e in (select g from h)", d)
	if errs != nil {
		t.Fatal(errs)
	}
	var cols []string
	depth, maxDepth := 0, 0
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			depth--
			return true
		}
		depth++
		if depth > maxDepth {
			maxDepth = depth
		}
		if c, ok := n.(*ast.ColumnRef); ok {
			cols = append(cols, ast.String(c))
		}
		return true
	})
	if depth != 0 {
		t.Errorf("unbalanced nil calls: depth %d", depth)
	}
	want := "a c.a b d e g"
	if got := join(cols); got != want {
		t.Errorf("columns in walk order: got %q, want %q", got, want)
	}
	// Pruning at subqueries hides their columns.
	cols = nil
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CTE, *ast.Subquery:
			return false
		case *ast.In:
			if n.Query != nil {
				ast.Inspect(n.X, func(m ast.Node) bool {
					if c, ok := m.(*ast.ColumnRef); ok {
						cols = append(cols, ast.String(c))
					}
					return true
				})
				return false
			}
		case *ast.ColumnRef:
			cols = append(cols, ast.String(n))
		}
		return true
	})
	if got := join(cols); got != "c.a b d e" {
		t.Errorf("pruned walk: got %q", got)
	}
}

func join(list []string) string {
	s := ""
	for i, x := range list {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

// TestInspectNilFields checks that optional fields left nil are never visited.
func TestInspectNilFields(t *testing.T) {
	sel := &ast.Select{Items: []*ast.SelectItem{{Expr: &ast.Literal{Kind: ast.LitNumber, Text: "1"}}}}
	n := 0
	ast.Inspect(&ast.Query{Body: sel}, func(node ast.Node) bool {
		if node != nil {
			n++
		}
		return true
	})
	if n != 4 { // Query, Select, SelectItem, Literal
		t.Errorf("visited %d nodes, want 4", n)
	}
	if got := ast.String(&ast.Query{Body: sel}); got != "SELECT 1" {
		t.Errorf("print of a built tree: %q", got)
	}
}
