package columns

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// Some templates build their select list from another relation's columns:
// adapter.get_columns_in_relation(ref('x')), directly or inside a package macro
// (fivetran_utils.fill_staging_columns, hand-written loops). Without a warehouse that call
// returns nothing, so the parse-time render lacks every column it stood for. When a node's
// render asked for columns, it is rendered again here, in DAG order, with the columns already
// known upstream answering the call, and that render is what gets parsed. Nodes that did not
// ask are never rendered again: the cost stays with the few that need it.

// renderWithColumns re-renders s's node when its render asked for columns, replacing s.prep
// with the new render. It returns the calls it could not answer (a relation whose columns are
// not known, or no environment to render with) that make the node's columns unreliable, and
// the new render's output when it replaced the load's; calls it could not answer that left
// the column list as it is are added to notes.
func (inf *inferrer) renderWithColumns(s *slot, notes *[]Problem) (unknown []Problem, rendered string) {
	n := s.node
	if n.Render == nil || n.Render.Err != nil || s.prep == nil || s.prep.file == nil || inf.p.Jinja == nil {
		return nil, ""
	}
	// A macro that only asks when executing (dbt_utils.get_filtered_columns_in_relation)
	// asked nothing in the load's render; the node is rendered executing, as dbt compiles.
	execute := false
	if !n.Render.AskedColumns {
		if !inf.callsListingMacro(n) {
			return nil, ""
		}
		execute = true
	}
	h := &columnsHook{inf: inf, s: s, real: n.Compiled, ids: map[jinja.Relation]string{}, probe: true}
	render := func() *jinja.Result {
		return inf.p.Jinja.Render(jinja.Input{
			Path: n.RelPath, Source: n.RawCode, Package: n.Package, Name: n.Name, ResourceType: n.ResourceType,
			This: relationOfNode(n), Config: cloneMap(n.Config), Resolver: h, Columns: h.columns,
			QueryColumns: h.queryColumns,
			Execute:      execute,
		})
	}
	r := render()
	if r.Err != nil || !r.AskedColumns {
		// executing changed nothing the hook can answer (or failed: run_query finds nothing
		// here); the load's render stands
		return nil, ""
	}
	if len(h.unknown) > 0 && strings.Contains(strings.ToLower(r.Output), probeColumn) {
		// A relation whose columns are not known was answered with a made-up column, and its
		// name reached the SQL: the select list depends on those columns. Render again with
		// no answer for them, as without a warehouse, and say the list is incomplete.
		unknown = h.unknown
		if !h.answered {
			return unknown, ""
		}
		h.probe, h.unknown, h.asked = false, nil, nil
		if r = render(); r.Err != nil {
			return unknown, ""
		}
	}
	// Otherwise the made-up column left no trace (fill_staging_columns only tests names
	// against its own list, for instance): the render stands as it is, but what it made of
	// the relation's absent columns (a typed null for each) says nothing of the relation.
	if unknown == nil {
		for _, p := range h.unknown {
			p.Reason += ": a column the template makes null for want of them may be there"
			*notes = append(*notes, p)
		}
	}
	if r.Output != n.Render.Output {
		s.prep = inf.prepareSQL(n, &prepared{path: s.prep.path, raw: s.prep.raw}, r.Output, r.Map)
		rendered = r.Output
	}
	return unknown, rendered
}

// callsListingMacro reports whether the node calls, itself, a macro that may list a
// relation's columns.
func (inf *inferrer) callsListingMacro(n *dbt.Node) bool {
	inf.listingOnce.Do(inf.findListingMacros)
	for _, id := range n.Render.MacrosUsed {
		if inf.listing[id] {
			return true
		}
	}
	return false
}

// findListingMacros finds the macros that may list a relation's columns: those that call
// adapter.get_columns_in_relation, and, by name, those that call one of them (adapter.dispatch
// names the macro without its adapter prefix, so default__x counts as x, and the dispatching
// macro names itself). A macro of another package with the same name counts too: the cost is
// one render that is dropped when it asks nothing. dbt_utils.star is left out: its call is
// read from the template instead (see restoreStars).
func (inf *inferrer) findListingMacros() {
	inf.listing = map[string]bool{}
	words := map[string]map[string]bool{}
	names := map[string]bool{}
	add := func(name string) {
		base := name
		if i := strings.Index(name, "__"); i > 0 {
			base = name[i+2:]
		}
		if base == "star" {
			return
		}
		names[name], names[base] = true, true
	}
	for id, m := range inf.p.Macros {
		if m.Kind != "" && m.Kind != "macro" {
			continue
		}
		if strings.Contains(m.SQL, "get_columns_in_relation") {
			inf.listing[id] = true
			add(m.Name)
			continue
		}
		words[id] = identWords(m.SQL)
	}
	for changed := true; changed; {
		changed = false
		for id, w := range words {
			if inf.listing[id] {
				continue
			}
			m := inf.p.Macros[id]
			for name := range names {
				if w[name] {
					inf.listing[id] = true
					add(m.Name)
					changed = true
					break
				}
			}
		}
	}
	for id, m := range inf.p.Macros {
		if m.Name == "star" || strings.HasSuffix(m.Name, "__star") {
			delete(inf.listing, id)
		}
	}
}

// identWords is the set of identifier-like words ([A-Za-z_][A-Za-z0-9_]*) in s: every macro
// of a project and its packages is read this way on each inference, so without a regexp.
func identWords(s string) map[string]bool {
	w := map[string]bool{}
	for i := 0; i < len(s); {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || 'a' <= s[j] && s[j] <= 'z' || 'A' <= s[j] && s[j] <= 'Z' || '0' <= s[j] && s[j] <= '9') {
			j++
		}
		w[s[i:j]] = true
		i = j
	}
	return w
}

// probeColumn answers for a relation whose columns are not known, to tell whether they matter.
const probeColumn = "dataops_unknown_column_probe"

// columnsHook resolves refs and sources for a re-render, remembering which node each relation
// it handed out stands for, and answers get_columns_in_relation from what is known of it.
type columnsHook struct {
	inf *inferrer
	s   *slot
	// real renders relations as the loader compiled them (database.schema.alias); otherwise
	// refs and sources render by name, as in a render without a resolver.
	real    bool
	ids     map[jinja.Relation]string
	unknown []Problem
	asked   map[string]bool
	// probe answers unknown relations with probeColumn instead of nothing.
	probe    bool
	answered bool // some relation was answered with its real columns
}

func (h *columnsHook) Ref(pkg, name, version string) (jinja.Relation, bool) {
	n := h.findNode(pkg, name, version)
	if n == nil {
		return jinja.Relation{}, false
	}
	if !h.real {
		h.ids[jinja.Relation{Identifier: name}] = n.UniqueID
		return jinja.Relation{}, false
	}
	rel := relationOfNode(n)
	h.ids[rel] = n.UniqueID
	return rel, true
}

func (h *columnsHook) Source(source, table string) (jinja.Relation, bool) {
	src := h.findSource(source, table)
	if src == nil {
		return jinja.Relation{}, false
	}
	if !h.real {
		h.ids[jinja.Relation{Schema: source, Identifier: table}] = src.UniqueID
		return jinja.Relation{}, false
	}
	ident := src.Identifier
	if ident == "" {
		ident = src.Name
	}
	rel := jinja.Relation{Database: src.Database, Schema: src.Schema, Identifier: ident}
	h.ids[rel] = src.UniqueID
	return rel, true
}

// findNode resolves a ref among the node's dependencies first (where the loader resolved it),
// then among every node of the project.
func (h *columnsHook) findNode(pkg, name, version string) *dbt.Node {
	match := func(n *dbt.Node) bool {
		if n == nil || n.Name != name || pkg != "" && n.Package != pkg {
			return false
		}
		if version != "" {
			return n.Version == version
		}
		return n.Version == "" || n.LatestVersion == "" || n.Version == n.LatestVersion
	}
	for _, id := range h.s.node.Reads() {
		if n := h.inf.node(id); match(n) {
			return n
		}
	}
	if pkg == "" && version == "" {
		return h.inf.p.NodeByName(name)
	}
	// a version of a name several packages define: the least id, not the map's first
	var found *dbt.Node
	for _, n := range h.inf.p.Nodes {
		if match(n) && n.ResourceType == dbt.Model && (found == nil || n.UniqueID < found.UniqueID) {
			found = n
		}
	}
	return found
}

func (h *columnsHook) findSource(source, table string) *dbt.Source {
	var found *dbt.Source
	for _, id := range h.s.node.Reads() {
		if src := h.inf.p.Sources[id]; src != nil && src.SourceName == source && src.Name == table {
			return src
		}
	}
	for _, src := range h.inf.p.Sources {
		if src.SourceName == source && src.Name == table && (found == nil || src.UniqueID < found.UniqueID) {
			found = src
		}
	}
	return found
}

// columns answers adapter.get_columns_in_relation: the relation's node is the one a ref or
// source of this render handed out, else the one its name denotes.
func (h *columnsHook) columns(rel jinja.Relation) ([]jinja.Column, bool) {
	id, ok := h.ids[rel]
	if !ok {
		id, ok = h.lookup(rel)
	}
	if !ok {
		return h.unknownColumns(rel.Identifier, "")
	}
	if id == h.s.id {
		// a model listing its own columns (schema-change checks of incremental models) asks
		// about the relation it is about to build; nothing to answer, nothing lost
		return nil, false
	}
	cols, complete := h.known(id)
	if !complete {
		return h.unknownColumns(id, id)
	}
	h.answered = true
	out := make([]jinja.Column, len(cols))
	for i, c := range cols {
		out[i] = jinja.Column{Name: c.Name, DataType: c.DataType}
	}
	return out, true
}

func (h *columnsHook) lookup(rel jinja.Relation) (string, bool) {
	var parts []string
	for _, p := range []string{rel.Database, rel.Schema, rel.Identifier} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	return h.inf.lookupRelation(parts, h.s.node.Reads(), h.s.node.Disabled)
}

// known returns a relation's columns. Parents are done (the scheduler ran them first), so what
// was inferred for them counts; any other node may still be running, so only what is declared
// or catalogued about it does.
func (h *columnsHook) known(id string) ([]*Column, bool) {
	inf := h.inf
	if s := inf.slots[id]; s == nil || slices.Contains(h.s.parents, id) {
		var inferred *Node
		if s != nil {
			inferred = s.out
		}
		cols, complete, _ := inf.upstream(id, inferred)
		return cols, complete
	}
	if n := inf.node(id); n != nil && len(n.Columns) > 0 {
		return inf.declaredColumns(id, n.Columns), true
	}
	if cols := inf.fromCatalog(id); len(cols) > 0 {
		return cols, true
	}
	if src, ok := inf.p.Sources[id]; ok && len(src.Columns) > 0 {
		return inf.declaredColumns(id, src.Columns), true
	}
	return nil, false
}

func (h *columnsHook) unknownColumns(key, id string) ([]jinja.Column, bool) {
	if h.asked == nil {
		h.asked = map[string]bool{}
	}
	if !h.asked[key] {
		h.asked[key] = true
		h.unknown = append(h.unknown, h.unknownProblem(id))
	}
	if h.probe {
		return []jinja.Column{{Name: probeColumn}}, true
	}
	return nil, false
}

// unknownProblem reports a get_columns_in_relation call that could not be answered, at the
// ref or source of the relation when the template names it.
func (h *columnsHook) unknownProblem(id string) Problem {
	n := h.s.node
	pos := h.s.prep.start()
	what := "a relation"
	if id != "" {
		what = describeNode(h.inf.p, id)
		if up := h.inf.node(id); up != nil {
			for _, r := range n.Refs {
				if r.Name == up.Name {
					pos.Line, pos.Column = r.Pos.Line, r.Pos.Column
					break
				}
			}
		} else if src := h.inf.p.Sources[id]; src != nil {
			for _, r := range n.SourceRefs {
				if r.Source == src.SourceName && r.Table == src.Name {
					pos.Line, pos.Column = r.Pos.Line, r.Pos.Column
					break
				}
			}
		}
	}
	return Problem{Pos: pos, Kind: "columns-unknown",
		Reason: "the template lists the columns of " + what + " (adapter.get_columns_in_relation), which are not known without a warehouse"}
}

// relationOfNode is where the loader places a node (see dbt's compile): ephemeral models are
// referred to by name.
func relationOfNode(n *dbt.Node) jinja.Relation {
	if m, _ := n.Config["materialized"].(string); m == "ephemeral" {
		return jinja.Relation{Identifier: n.Name, Ephemeral: true}
	}
	return jinja.Relation{Database: n.Database, Schema: n.Schema, Identifier: n.Alias}
}

// cloneMap copies a config deeply: the render merges config() calls into its copy, and the
// node's own map is read by others.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
