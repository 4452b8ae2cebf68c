package columns

import (
	"slices"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// table infers the relations a FROM item brings into scope (a join brings several). Lateral
// items see the relations before them through sc.
func (a *analyzer) table(te ast.TableExpr, sc *scope) []*relation {
	switch x := te.(type) {
	case *ast.TableName:
		return []*relation{a.tableName(x, sc)}
	case *ast.DerivedTable:
		outer := sc.outer
		if x.Lateral || a.d.name == "snowflake" || a.d.name == "bigquery" || a.d.name == "duckdb" {
			// a lateral subquery sees the FROM items before it
			outer = sc
		}
		r := a.query(x.Query, sc.ctes, outer)
		r = copyRelation(r)
		r.node = ""
		a.applyAlias(r, x.Alias, "")
		return []*relation{r}
	case *ast.TableFunc:
		return []*relation{a.tableFunc(x, sc)}
	case *ast.Join:
		left := a.table(x.Left, sc)
		// the right side of a join may be lateral: let it see the left
		tmp := &scope{outer: sc.outer, rels: append(append([]*relation(nil), sc.rels...), left...), ctes: sc.ctes, using: sc.using}
		right := a.table(x.Right, tmp)
		sc.using = tmp.using
		if len(right) == 1 {
			var names []string
			for _, id := range x.Using {
				names = append(names, id.Name)
			}
			if x.Natural {
				names = naturalColumns(left, right[0])
			}
			if len(names) > 0 {
				full := &scope{rels: append(append([]*relation(nil), sc.rels...), left...), using: sc.using}
				usingJoin(full, left, right[0], names)
				sc.using = full.using
			}
		}
		return append(left, right...)
	case *ast.LateralView:
		return []*relation{a.lateralView(x, sc)}
	case *ast.ParenTable:
		inner := &scope{outer: sc.outer, ctes: sc.ctes, rels: sc.rels, using: sc.using}
		rels := a.table(x.Table, inner)
		sc.using = inner.using
		if x.Alias == nil || x.Alias.Name == nil {
			return rels
		}
		merged := &relation{complete: true}
		for _, r := range rels {
			merged.cols = append(merged.cols, r.starCols(true)...)
			if !r.complete {
				merged.complete = false
				merged.why = append(merged.why, r.why...)
				merged.opaque = appendUnique(merged.opaque, r.opaque...)
			}
		}
		a.applyAlias(merged, x.Alias, "")
		return []*relation{merged}
	case *ast.Pivot:
		return []*relation{a.pivot(x, sc)}
	case *ast.Unpivot:
		return []*relation{a.unpivot(x, sc)}
	case *ast.TemplateTable:
		r := &relation{why: []Problem{a.problem(int(x.Pos()), "template", "unrendered Jinja where a table is expected: "+clip(x.Text))}}
		a.applyAlias(r, x.Alias, "")
		return []*relation{r}
	case *ast.BadTable:
		return []*relation{{why: []Problem{a.problem(int(x.Pos()), "parse-error", "a FROM item that could not be read")}}}
	}
	return nil
}

func clip(s string) string {
	s = collapseSpace(s)
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// tableName resolves a named relation: a CTE in scope, else a dbt node or source.
func (a *analyzer) tableName(x *ast.TableName, sc *scope) *relation {
	pos := int(x.Pos())
	if x.Stage != "" || x.Name == nil || len(x.Name.Parts) == 0 {
		r := &relation{why: []Problem{a.problem(pos, "unknown-relation", "a stage or unnamed relation: its columns are not known")}}
		a.applyAlias(r, x.Alias, "")
		return r
	}
	parts := make([]string, len(x.Name.Parts))
	for i, p := range x.Name.Parts {
		parts[i] = p.Name
	}
	last := parts[len(parts)-1]
	if len(parts) == 1 && sc.ctes != nil {
		if r := sc.ctes.lookup(last); r != nil {
			c := copyRelation(r)
			c.path = parts
			a.applyAlias(c, x.Alias, last)
			return c
		}
	}
	id, ok := a.lookupRelation(parts)
	a.deps.lookup(parts, id, ok)
	if !ok {
		name := strings.Join(parts, ".")
		r := &relation{path: parts, why: []Problem{a.problem(pos, "unknown-relation",
			"relation "+name+" is not a model, seed, snapshot or source of the project")}}
		a.applyAlias(r, x.Alias, last)
		return r
	}
	t := a.inf.relationOf(a.id, id)
	a.deps.rel(id)
	complete := t.complete
	r := &relation{path: parts, node: id, complete: complete, origin: t.origin,
		cols: append([]*col(nil), t.cols...), index: t.index}
	if complete && t.origin == "properties" {
		r.declared = []string{id}
	}
	if !complete {
		r.opaque = []string{id}
		why := "the columns of " + a.describeNode(id) + " are not known"
		if _, ok := a.inf.p.Sources[id]; ok {
			why += " (no columns declared, no catalog entry)"
		}
		r.why = []Problem{a.problem(pos, "star-unknown", why)}
	}
	a.applyAlias(r, x.Alias, last)
	return r
}

func (a *analyzer) lookupRelation(parts []string) (string, bool) {
	if n := a.inf.node(a.id); n != nil {
		return a.inf.lookupFrom(n, parts)
	}
	return a.inf.lookupRelation(parts, a.prefer, false)
}

// lookupRelation finds the node or source a table name in a node's SQL denotes; prefer lists
// the ids the node depends on. off says the node is a model that is off: the relations of
// other models that are off are its too, after the enabled ones.
func (inf *inferrer) lookupRelation(parts, prefer []string, off bool) (string, bool) {
	if id, ok := inf.rels.lookup(parts, prefer); ok {
		return id, true
	}
	if off {
		if id, ok := inf.offRelations().lookup(parts, prefer); ok {
			return id, true
		}
	}
	if id, ok := inf.p.LookupRelation(parts); ok {
		return id, true
	}
	return "", false
}

// describeNode says what an upstream node is and why its columns may be unknown.
func (a *analyzer) describeNode(id string) string { return describeNode(a.inf.p, id) }

func describeNode(p *dbt.Project, id string) string {
	if s, ok := p.Sources[id]; ok {
		return "source " + s.SourceName + "." + s.Name
	}
	if n := p.AnyNode(id); n != nil {
		return n.ResourceType + " " + n.Name
	}
	return id
}

// applyAlias names a relation by its alias (else def) and renames columns by an alias column
// list `t(a, b)`.
func (a *analyzer) applyAlias(r *relation, al *ast.Alias, def string) {
	if al != nil && al.Name != nil {
		r.alias = al.Name.Name
		r.path = []string{al.Name.Name}
		renameColumns(a.d, r, al.Columns)
		return
	}
	if def != "" {
		r.alias = def
	}
}

// copyRelation gives a FROM item its own list of a CTE's columns. Columns are never changed in
// place (a USING join or a rename puts a changed copy in the list), so sharing them is safe;
// the index stays valid because positions do not move.
func copyRelation(r *relation) *relation {
	c := *r
	c.cols = make([]*col, len(r.cols))
	for i, x := range r.cols {
		if x.hidden {
			nx := *x
			nx.hidden = false
			x = &nx
		}
		c.cols[i] = x
	}
	return &c
}

// nodeRelation is what a reference to a node or source brings into scope, built once per node
// and shared (read-only) by every reference to it.
type nodeRelation struct {
	cols     []*col
	index    map[string]int
	complete bool
	origin   string
}

// relationOf returns the columns a reference from node reader to node id exposes. Nodes in
// the run are built once, after the node itself is done (its children only run then); others
// each time. A node in the run that is not among reader's parents (the other side of a cycle,
// or a model read by relation name downstream of reader) may be running at the same time: only
// what is declared or catalogued about it counts, never what was inferred for it, which would
// be there or not depending on which worker finished first.
func (inf *inferrer) relationOf(reader, id string) *nodeRelation {
	s := inf.slots[id]
	settled := s == nil || inf.after(reader, id)
	build := func() *nodeRelation {
		var inferred *Node
		if settled && s != nil {
			inferred = s.out
		}
		cols, complete, origin := inf.upstream(id, inferred)
		nr := &nodeRelation{complete: complete, origin: origin, cols: make([]*col, len(cols))}
		for i, c := range cols {
			nr.cols[i] = &col{name: c.Name, quoted: c.Quoted, t: typeOf(c.DataType), pos: -1,
				kind: KindDirect, lineage: []ColumnRef{{Node: id, Column: c.Name}}}
		}
		r := &relation{cols: nr.cols}
		r.reindex()
		nr.index = r.index
		return nr
	}
	if !settled || s == nil || s.out == nil {
		return build()
	}
	s.relOnce.Do(func() { s.rel = build() })
	return s.rel
}

// after reports whether node id is done before reader starts: it is one of reader's parents,
// which the scheduler runs first.
func (inf *inferrer) after(reader, id string) bool {
	r := inf.slots[reader]
	return r != nil && slices.Contains(r.parents, id)
}

// tableFunc infers the columns of a function in FROM: FLATTEN, UNNEST, generate_series,
// everything else unknown.
func (a *analyzer) tableFunc(x *ast.TableFunc, sc *scope) *relation {
	pos := int(x.Pos())
	name := ""
	if x.Func != nil && x.Func.Name != nil {
		if l := x.Func.Name.Last(); l != nil {
			name = strings.ToLower(l.Name)
		}
	}
	var argLineage []ColumnRef
	var argType typ
	if x.Func != nil {
		for i, e := range x.Func.Args {
			info := a.expr(e, sc)
			argLineage = mergeLineage(argLineage, info.lineage...)
			if i == 0 {
				argType = info.t
			}
		}
	}
	r := &relation{complete: true}
	add := func(n string, t typ, lin []ColumnRef) {
		r.cols = append(r.cols, &col{name: n, t: t, lineage: lin, kind: KindTransform, pos: -1})
	}
	alias := ""
	if x.Alias != nil && x.Alias.Name != nil {
		alias = x.Alias.Name.Name
	}
	switch name {
	case "flatten":
		str, num, js := a.d.family(fString), a.d.family(fInt), a.d.family(fJSON)
		add("seq", num, nil)
		add("key", str, argLineage)
		add("path", str, argLineage)
		add("index", num, argLineage)
		add("value", js, argLineage)
		add("this", js, argLineage)
	case "unnest", "explode", "posexplode", "generate_series", "generate_array", "generate_date_array",
		"generate_timestamp_array", "range", "split_to_table", "json_array_elements",
		"jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
		"regexp_split_to_table", "string_to_table":
		// one value column, named by the alias (BigQuery, Postgres) or the function
		colName := name
		if name == "json_array_elements" || name == "jsonb_array_elements" || name == "json_array_elements_text" || name == "jsonb_array_elements_text" {
			colName = "value"
		}
		if name == "split_to_table" {
			add("seq", a.d.family(fInt), nil)
			add("index", a.d.family(fInt), nil)
			colName = "value"
		}
		if alias != "" && len(x.Alias.Columns) == 0 && name != "split_to_table" {
			colName = alias
		}
		var t typ
		if name == "generate_series" || name == "range" {
			t = argType
		}
		elem := elementType(argType.text)
		if name == "unnest" || name == "explode" {
			t = typeOf(elem) // unknown when the array's type does not name its elements
		}
		fields := structFields(elem)
		switch {
		case x.Func != nil && len(x.Func.Args) > 1 && name == "unnest":
			// unnest(a, b): one column per array
			for i := range x.Func.Args {
				add("unnest"+strconv.Itoa(i+1), unknownType, argLineage)
			}
		case name == "unnest" && alias == "" && a.d.name == "bigquery" && (len(fields) > 0 || !t.known() || t.fam == fStruct):
			// BigQuery: UNNEST without an alias has no name for the element; the fields of
			// struct elements are its columns (`select value.string_value from
			// unnest(event_params) where key = 'k'`). When the type does not list them, any
			// name may be one of them, from the array.
			for _, f := range fields {
				add(a.d.columnName(f[0], false), typeOf(f[1]), argLineage)
			}
			if len(fields) == 0 {
				r.complete, r.elemLineage, r.implicitFields = false, argLineage, true
				r.why = []Problem{a.problem(pos, "star-unknown", "the fields of the array's elements unnest() returns are not known")}
			}
		default:
			add(a.d.columnName(colName, false), t, argLineage)
			if name == "unnest" && alias != "" && len(x.Alias.Columns) == 0 &&
				(a.d.name == "bigquery" || strings.Contains(argType.text, "struct")) {
				r.elemStar, r.elemLineage, r.elemFields = true, argLineage, fields
			}
		}
		if x.WithOrdinality {
			add("ordinality", a.d.family(fInt), nil)
		}
		if x.WithOffset {
			on := "offset"
			if x.OffsetAlias != nil {
				on = x.OffsetAlias.Name
			}
			add(on, a.d.family(fInt), nil)
		}
	default:
		r.complete = false
		r.why = []Problem{a.problem(pos, "star-unknown", "the columns of table function "+name+"() are not known")}
	}
	if x.Alias != nil && x.Alias.Name != nil {
		r.alias = x.Alias.Name.Name
		r.path = []string{r.alias}
		renameColumns(a.d, r, x.Alias.Columns)
	} else {
		r.alias = name
		r.path = []string{name}
	}
	return r
}

// lateralView is Spark's LATERAL VIEW explode(x) t AS c.
func (a *analyzer) lateralView(x *ast.LateralView, sc *scope) *relation {
	var lin []ColumnRef
	if x.Func != nil {
		for _, e := range x.Func.Args {
			lin = mergeLineage(lin, a.expr(e, sc).lineage...)
		}
	}
	r := &relation{complete: len(x.Columns) > 0}
	for _, c := range x.Columns {
		r.cols = append(r.cols, &col{name: a.d.columnName(c.Name, c.Quoted()), quoted: c.Quoted(), lineage: lin, kind: KindTransform, pos: -1})
	}
	if !r.complete {
		r.why = []Problem{a.problem(int(x.Pos()), "star-unknown", "LATERAL VIEW without column names")}
	}
	if x.Alias != nil {
		r.alias = x.Alias.Name
		r.path = []string{r.alias}
	}
	return r
}

// pivot is best effort: the source's columns minus the pivoted and aggregated ones, plus one
// column per IN value (times each aggregate when there are several).
func (a *analyzer) pivot(x *ast.Pivot, sc *scope) *relation {
	inner := &scope{outer: sc.outer, ctes: sc.ctes}
	inner.rels = a.table(x.Source, inner)
	used := map[string]bool{}
	var aggLineage []ColumnRef
	type agg struct {
		alias string
		info  exprInfo
	}
	var aggs []agg
	for _, it := range x.Aggs {
		if it == nil {
			continue
		}
		info := a.expr(it.Expr, inner)
		for _, l := range info.refs {
			used[foldName(l)] = true
		}
		aggLineage = mergeLineage(aggLineage, info.lineage...)
		al := ""
		if it.Alias != nil {
			al = it.Alias.Name
		}
		aggs = append(aggs, agg{al, info})
	}
	for _, f := range x.For {
		info := a.expr(f, inner)
		for _, l := range info.refs {
			used[foldName(l)] = true
		}
	}
	r := &relation{complete: true}
	for _, sr := range inner.rels {
		for _, c := range sr.starCols(true) {
			if !used[foldName(c.name)] {
				r.cols = append(r.cols, c)
			}
		}
		if !sr.complete {
			r.complete = false
			r.why = append(r.why, sr.why...)
			r.opaque = appendUnique(r.opaque, sr.opaque...)
		}
	}
	if x.InAny || x.InQuery != nil {
		r.complete = false
		r.why = append(r.why, a.problem(int(x.Pos()), "pivot", "PIVOT over values only known at run time"))
	}
	for _, in := range x.In {
		if in == nil {
			continue
		}
		var val string
		if in.Alias != nil {
			val = a.d.columnName(in.Alias.Name, in.Alias.Quoted())
		} else if lit, ok := in.Expr.(*ast.Literal); ok {
			val = lit.Value
			if lit.Kind == ast.LitString && a.d.name == "snowflake" {
				val = "'" + lit.Value + "'"
			}
		} else {
			val = a.text(in.Expr)
		}
		for _, ag := range aggs {
			name := val
			if len(aggs) > 1 && ag.alias != "" {
				if a.d.name == "bigquery" {
					name = ag.alias + "_" + val
				} else {
					name = val + "_" + ag.alias
				}
			}
			r.cols = append(r.cols, &col{name: name, t: ag.info.t, lineage: ag.info.lineage, kind: KindAggregate, pos: int(in.Pos())})
		}
	}
	a.note(int(x.Pos()), "pivot", "PIVOT column names are inferred best effort")
	a.applyAlias(r, x.Alias, "")
	return r
}

// unpivot replaces the listed columns by the name and value columns.
func (a *analyzer) unpivot(x *ast.Unpivot, sc *scope) *relation {
	inner := &scope{outer: sc.outer, ctes: sc.ctes}
	inner.rels = a.table(x.Source, inner)
	used := map[string]bool{}
	var valLineage []ColumnRef
	var valType typ
	first := true
	for _, in := range x.In {
		for _, e := range in.Columns {
			info := a.expr(e, inner)
			for _, l := range info.refs {
				used[foldName(l)] = true
			}
			valLineage = mergeLineage(valLineage, info.lineage...)
			if first {
				valType, first = info.t, false
			} else {
				valType = a.d.commonType(valType, info.t)
			}
		}
	}
	r := &relation{complete: true}
	for _, sr := range inner.rels {
		for _, c := range sr.starCols(true) {
			if !used[foldName(c.name)] {
				r.cols = append(r.cols, c)
			}
		}
		if !sr.complete {
			r.complete = false
			r.why = append(r.why, sr.why...)
			r.opaque = appendUnique(r.opaque, sr.opaque...)
		}
	}
	for _, f := range x.For {
		r.cols = append(r.cols, &col{name: a.d.columnName(f.Name, f.Quoted()), quoted: f.Quoted(), t: a.d.family(fString), kind: KindTransform, pos: int(f.Pos())})
	}
	for _, v := range x.Values {
		r.cols = append(r.cols, &col{name: a.d.columnName(v.Name, v.Quoted()), quoted: v.Quoted(), t: valType, lineage: valLineage, kind: KindTransform, pos: int(v.Pos())})
	}
	a.applyAlias(r, x.Alias, "")
	return r
}
