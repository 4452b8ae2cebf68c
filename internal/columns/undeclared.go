package columns

import "github.com/dataops-dev/dataops/internal/sql/ast"

// A source or model whose columns come from its property file lists the columns someone
// documented, often a subset of the table's: `select id, siret from source` or the staging
// pattern `with src as (select * from source) select id, siret from src` reads siret from
// that table even though no file declares it. Such a name resolves to the undeclared column
// of the one relation in scope whose list came from a property file, with lineage to the
// declaring nodes, rather than to nothing.

// declaredCol is a column a relation does not list, read from the nodes its declared list
// came from.
func (r *relation) declaredCol(name string) *col {
	c := &col{name: name, pos: -1, kind: KindDirect}
	for _, n := range r.declared {
		c.lineage = append(c.lineage, ColumnRef{Node: n, Column: name})
	}
	return c
}

// soleDeclared is the one relation of rels whose list came from a property file, or nil when
// none or several did (the name could then be in any of them).
func soleDeclared(rels []*relation) *relation {
	var found *relation
	for _, r := range rels {
		if len(r.declared) == 0 {
			continue
		}
		if found != nil {
			return nil
		}
		found = r
	}
	return found
}

// starDeclared lists the declaring nodes of the relations a star expands.
func starDeclared(st *ast.Star, sc *scope) []string {
	if st.StructOf != nil {
		return nil
	}
	if len(st.Qualifier) == 0 {
		var out []string
		for _, r := range sc.rels {
			out = appendUnique(out, r.declared...)
		}
		return out
	}
	parts := make([]string, len(st.Qualifier))
	for i, p := range st.Qualifier {
		parts[i] = p.Name
	}
	if r := sc.relByQualifier(parts); r != nil {
		return r.declared
	}
	return nil
}
