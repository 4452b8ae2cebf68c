package columns

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/source"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// prepared is a model's rendered SQL, parsed, ready to be inferred once its parents are.
type prepared struct {
	sql      string
	file     *ast.File
	omap     *jinja.OffsetMap
	raw      *source.File // the template (RawCode) where it sits in its file, for positions
	rendered *source.File // the rendered SQL, when there is no offset map back to raw
	path     string
	problems []Problem
	errOffs  []int // rendered offsets of the parse errors, in problems order
	blocking bool  // a problem above makes the column list unreliable
}

// sqlOf picks the SQL to read: the render with refs resolved when the loader compiled the
// project, else the parse-time render; both come with an offset map back to the template.
func sqlOf(n *dbt.Node) (string, *jinja.OffsetMap) {
	if n.Render != nil && n.Render.Err == nil {
		return n.Render.Output, n.Render.Map
	}
	if n.CompiledCode != "" {
		return n.CompiledCode, nil
	}
	return n.RawCode, nil
}

func (inf *inferrer) prepare(n *dbt.Node) *prepared {
	path := n.RelPath
	if path == "" {
		path = n.OriginalFilePath
	}
	pr := &prepared{path: path, raw: source.NewShifted(path, n.RawCode, n.Template)}
	if n.Language != "" && n.Language != "sql" {
		return pr
	}
	if n.Render != nil && n.Render.Err != nil {
		pr.problems = append(pr.problems, Problem{Pos: pr.start(),
			Kind: "render-error", Reason: "the Jinja template did not render: " + firstLine(n.Render.Err.Error())})
		pr.blocking = true
		return pr
	}
	sql, omap := sqlOf(n)
	return inf.prepareSQL(n, pr, sql, omap)
}

// prepareSQL parses one render of a node (its SQL and the offset map back to RawCode).
func (inf *inferrer) prepareSQL(n *dbt.Node, pr *prepared, sql string, omap *jinja.OffsetMap) *prepared {
	path := pr.path
	pr.sql, pr.omap = restoreStars(n.RawCode, sql, omap)
	if pr.omap == nil || len(pr.omap.Segments) == 0 {
		pr.omap = nil
		pr.rendered = source.NewShifted(path, pr.sql, pr.raw.Shift)
	}
	f, errs := parseSQL(pr.sql, inf.d.name, inf.fallback)
	pr.file = f
	for _, e := range errs {
		pr.problems = append(pr.problems, Problem{Pos: pr.pos(int(e.pos)), Kind: "parse-error", Reason: "SQL parse error: " + e.msg})
		pr.errOffs = append(pr.errOffs, int(e.pos))
	}
	if strings.TrimSpace(pr.sql) == "" {
		pr.problems = append(pr.problems, Problem{Pos: pr.start(),
			Kind: "empty", Reason: "the model renders to no SQL with the vars as they are (an {% if %} or a macro it calls left nothing; --vars renders it otherwise)"})
		pr.blocking = true
	}
	return pr
}

// pos maps an offset in the rendered SQL to a position in the file the user wrote.
func (pr *prepared) pos(off int) dbt.Pos {
	if off < 0 {
		return dbt.Pos{Path: pr.path}
	}
	if pr.omap == nil {
		if pr.rendered == nil {
			return dbt.Pos{Path: pr.path}
		}
		return pr.rendered.Position(off)
	}
	return source.Map{File: pr.raw, Origin: pr.omap}.Position(off)
}

// start is where the template starts: the place of problems about the model as a whole.
func (pr *prepared) start() dbt.Pos {
	if pr.raw == nil {
		return dbt.Pos{Path: pr.path}
	}
	return pr.raw.Position(0)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// inferModel infers a model's or snapshot's columns from its parsed SQL.
func (inf *inferrer) inferModel(s *slot, deps *colDeps) *Node {
	n := s.node
	out := &Node{UniqueID: s.id}
	unknownCols, rendered := inf.renderWithColumns(s, &out.Notes)
	out.SQL = rendered
	pr := s.prep
	if n.Language != "" && n.Language != "sql" {
		return inf.declaredOnly(n, out, "a "+n.Language+" model: its columns are only known from its property file")
	}
	if pr == nil || pr.file == nil {
		if pr != nil {
			out.Unresolved = append(out.Unresolved, pr.problems...)
		}
		if len(n.Columns) > 0 {
			return inf.declaredOnly(n, out, "")
		}
		return out
	}
	a := &analyzer{inf: inf, d: inf.d, prep: pr, id: s.id, prefer: n.Reads(), out: out, deps: deps}
	q := mainQuery(pr.file)
	if q == nil {
		out.Unresolved = append(out.Unresolved, pr.problems...)
		if !pr.blocking {
			out.Unresolved = append(out.Unresolved, Problem{Pos: pr.start(),
				Kind: "no-query", Reason: "no SELECT statement found"})
		}
		return out
	}
	r := a.query(q, nil, nil)
	if len(pr.errOffs) > 0 && !pr.blocking {
		pr.blocking = a.errorsMatter(pr.file, q)
	}
	out.Origin = "sql"
	unnamed := 0
	for i, c := range r.cols {
		oc := &Column{Name: c.name, Quoted: c.quoted, Unnamed: c.unnamed, DataType: c.t.text, Kind: c.kind,
			Lineage: c.lineage, Pos: pr.pos(c.pos)}
		if oc.Lineage == nil {
			oc.Lineage = []ColumnRef{}
		}
		if c.unnamed {
			unnamed++
			if unnamed <= 3 {
				out.Notes = append(out.Notes, Problem{Pos: oc.Pos, Kind: "unnamed",
					Reason: "column " + strconv.Itoa(i+1) + " has no alias; the warehouse names it " + quoteName(c.name)})
			}
		}
		out.Columns = append(out.Columns, oc)
	}
	if n.ResourceType == dbt.Snapshot {
		out.Columns = append(out.Columns, inf.snapshotColumns(n)...)
	}
	if !r.complete {
		out.Unresolved = append(out.Unresolved, r.why...)
		if len(r.why) == 0 {
			out.Unresolved = append(out.Unresolved, Problem{Pos: dbt.Pos{Path: pr.path}, Kind: "star-unknown",
				Reason: "a star expands over columns that are not known"})
		}
	}
	if pr.blocking {
		out.Unresolved = append(out.Unresolved, pr.problems...)
	} else {
		out.Notes = append(out.Notes, pr.problems...)
	}
	out.Unresolved = append(out.Unresolved, unknownCols...)
	out.Notes = append(out.Notes, a.notes...)
	out.Unresolved = dedupProblems(out.Unresolved)
	return out
}

// errorsMatter decides whether the parse errors make the column list unreliable. The parser
// keeps going after an error and marks what it could not read with Bad nodes; an error inside
// an expression only costs that expression's type and lineage, and a FROM item or query that
// could not be read already makes the result incomplete where a star depends on it, and an
// error inside an aliased select item leaves its name intact. What
// matters is an error no Bad node accounts for (tokens skipped silently), a statement that
// could not be read, and a select item that could not be read and has no name.
func (a *analyzer) errorsMatter(f *ast.File, main *ast.Query) bool {
	type span struct{ s, e int }
	var harmless []span
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		switch x := n.(type) {
		case *ast.BadExpr:
			item, isItem := parentItem(stack, x)
			if !isItem || item.Alias != nil || recoveredAlias(a.text(x)) != "" {
				harmless = append(harmless, span{int(x.Pos()), int(x.End())})
			}
		case *ast.BadTable, *ast.BadQuery:
			harmless = append(harmless, span{int(n.Pos()), int(n.End())})
		case *ast.SelectItem:
			// the parser got back in step by the alias: whatever went wrong inside only costs
			// this item's type and lineage, not its name
			if x.Alias != nil && x.Expr != nil {
				harmless = append(harmless, span{int(x.Expr.Pos()), int(x.Alias.Pos())})
			}
		}
		stack = append(stack, n)
		return true
	})
	if a.unnamedBad {
		return true
	}
next:
	for _, off := range a.prep.errOffs {
		for _, h := range harmless {
			if off >= h.s && off <= h.e {
				continue next
			}
		}
		return true
	}
	return false
}

func parentItem(stack []ast.Node, x ast.Node) (*ast.SelectItem, bool) {
	if len(stack) == 0 {
		return nil, false
	}
	if it, ok := stack[len(stack)-1].(*ast.SelectItem); ok && it.Expr == x {
		return it, true
	}
	return nil, false
}

// recoveredAlias reads the name of a select item whose expression rendered to nothing:
// `{{ unknown_macro() }} as name` leaves "as name" (or just "name" before a comma).
func recoveredAlias(text string) string {
	t := strings.TrimSpace(text)
	if len(t) > 3 && strings.EqualFold(t[:3], "as ") {
		t = strings.TrimSpace(t[3:])
	}
	if len(t) >= 2 && (t[0] == '"' || t[0] == '`') && t[len(t)-1] == t[0] && !strings.ContainsAny(t[1:len(t)-1], "\"`") {
		return t
	}
	if t == "" {
		return ""
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '$')) {
			return ""
		}
	}
	return t
}

func quoteName(s string) string { return "\"" + s + "\"" }

// declaredOnly reports the property-file columns of a node whose SQL we cannot read.
func (inf *inferrer) declaredOnly(n *dbt.Node, out *Node, why string) *Node {
	if len(n.Columns) > 0 {
		out.Origin = "properties"
		out.Columns = inf.declaredColumns(n.UniqueID, n.Columns)
		if why != "" {
			out.Notes = append(out.Notes, Problem{Pos: dbt.Pos{Path: n.RelPath}, Kind: "not-sql", Reason: why})
		}
		return out
	}
	if why != "" {
		out.Unresolved = append(out.Unresolved, Problem{Pos: dbt.Pos{Path: n.RelPath}, Kind: "not-sql", Reason: why})
	}
	return out
}

// snapshotColumns are the columns dbt adds to a snapshot's select.
func (inf *inferrer) snapshotColumns(n *dbt.Node) []*Column {
	ts := inf.d.types.timestamp
	names := []string{"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}
	if m, ok := n.Config["snapshot_meta_column_names"].(map[string]any); ok {
		for i, k := range names {
			if v, ok := m[k].(string); ok && v != "" {
				names[i] = v
			}
		}
	}
	var out []*Column
	for i, name := range names {
		t := ts
		if i == 0 {
			t = inf.d.types.str
		}
		out = append(out, &Column{Name: name, DataType: t, Kind: KindTransform, Lineage: []ColumnRef{}})
	}
	if hd, _ := n.Config["hard_deletes"].(string); hd == "new_record" {
		out = append(out, &Column{Name: "dbt_is_deleted", DataType: inf.d.types.str, Kind: KindTransform, Lineage: []ColumnRef{}})
	}
	return out
}

func dedupProblems(ps []Problem) []Problem {
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		k := p.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// mainQuery finds the query a model materializes: its last SELECT statement, else the query
// of a CREATE ... AS or INSERT.
func mainQuery(f *ast.File) *ast.Query {
	var q *ast.Query
	for _, s := range f.Stmts {
		if x, ok := s.(*ast.Query); ok {
			q = x
		}
	}
	if q != nil {
		return q
	}
	for _, s := range f.Stmts {
		switch x := s.(type) {
		case *ast.CreateTable:
			if x.Query != nil {
				q = x.Query
			}
		case *ast.CreateView:
			if x.Query != nil {
				q = x.Query
			}
		case *ast.Insert:
			if x.Query != nil {
				q = x.Query
			}
		}
	}
	return q
}
