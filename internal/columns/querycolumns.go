package columns

import (
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/source"
)

// A template may build its select list from the columns of a query it wrote itself
// (get_column_schema_from_query, get_columns_in_query): a warehouse would describe the query;
// here the query is read as a model's SQL is, in the node's context (its refs and sources, the
// columns known upstream), and its columns answer the call.

// queryColumns answers get_column_schema_from_query for the node being rendered again.
func (h *columnsHook) queryColumns(sql string) ([]jinja.Column, bool) {
	inf, s := h.inf, h.s
	n := s.node
	f, errs := parseSQL(sql, inf.d.name, inf.fallback)
	q := mainQuery(f)
	if q == nil {
		return h.unknownQuery()
	}
	pr := &prepared{sql: sql, file: f, path: s.prep.path, raw: s.prep.raw,
		rendered: source.NewShifted(s.prep.path, sql, source.Shift{})}
	for _, e := range errs {
		pr.errOffs = append(pr.errOffs, int(e.pos))
	}
	a := &analyzer{inf: inf, d: inf.d, prep: pr, id: s.id, prefer: n.Reads(), out: &Node{UniqueID: s.id}}
	r := a.query(q, nil, nil)
	if !r.complete || len(pr.errOffs) > 0 && a.errorsMatter(f, q) {
		return h.unknownQuery()
	}
	out := make([]jinja.Column, 0, len(r.cols))
	for _, c := range r.cols {
		out = append(out, jinja.Column{Name: c.name, DataType: c.t.text})
	}
	h.answered = true
	return out, true
}

// unknownQuery is the answer for a query whose columns are not known: none (a made-up one
// while probing whether the select list depends on them), and a problem at the node.
func (h *columnsHook) unknownQuery() ([]jinja.Column, bool) {
	const key = "\x00query"
	if h.asked == nil {
		h.asked = map[string]bool{}
	}
	if !h.asked[key] {
		h.asked[key] = true
		h.unknown = append(h.unknown, Problem{Pos: h.s.prep.start(), Kind: "columns-unknown",
			Reason: "the template lists the columns of a query (get_column_schema_from_query), which are not known without a warehouse"})
	}
	if h.probe {
		return []jinja.Column{{Name: probeColumn}}, true
	}
	return nil, false
}
