package dbt

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// nodeResolver resolves refs and sources for one node's compile render.
type nodeResolver struct {
	l    *loader
	from string
	off  bool // the node is a model that is off: its refs may name others that are off
}

func (r nodeResolver) Ref(pkg, name, version string) (jinja.Relation, bool) {
	ref := jinja.Ref{Package: pkg, Name: name, Version: version}
	n, _ := r.l.ix.ref(r.from, ref)
	if n == nil && r.off {
		n = r.l.ix.refAny(r.from, ref)
	}
	if n == nil {
		return jinja.Relation{}, false
	}
	return nodeRelation(n), true
}

func (r nodeResolver) Source(source, table string) (jinja.Relation, bool) {
	s := r.l.ix.source(r.from, jinja.SourceRef{Source: source, Table: table})
	if s == nil {
		return jinja.Relation{}, false
	}
	q := QuotePolicy(r.l.target.Type, s.Quoting)
	return jinja.Relation{Database: s.Database, Schema: s.Schema, Identifier: s.Identifier, Quote: &q}, true
}

// nodeRelation is where a node lives. An ephemeral model has no relation: dbt inlines it as a
// CTE named __dbt__cte__<name>, and compiled code refers to it by that name (we do not prepend
// the CTE itself; consumers that need the full SQL inline it from the node's compiled code).
// Its Relation carries the name and the Ephemeral mark the renderer prints that way.
func nodeRelation(n *Node) jinja.Relation {
	if configString(n.Config, "materialized") == "ephemeral" {
		return jinja.Relation{Identifier: n.Name, Ephemeral: true}
	}
	return jinja.Relation{Database: n.Database, Schema: n.Schema, Identifier: n.Alias}
}

// compileNodes gives every SQL model, snapshot, analysis and singular test its compiled code:
// refs, sources and this resolved to relations, which needs the configs of all nodes (a ref may
// point to a node whose schema or alias its own config() sets). The parse render already ran
// with placeholder relations; substituting them is enough unless the template mangled one,
// in which case the node is rendered again with the real relations. Node.Render becomes the
// render whose Output is CompiledCode.
func (l *loader) compileNodes() error {
	if !l.opts.Compile {
		return nil
	}
	var again []*Node
	for _, pd := range l.pending {
		if !l.compileFromParse(pd.node, pd.ph) {
			again = append(again, pd.node)
		}
	}
	l.parallel(len(again), func(i int) { l.compileAgain(again[i]) })
	l.recompiled = len(again)
	return nil
}

// compileFromParse gives n its compiled code from its parse render when it can (see
// compileNodes): false means it must be rendered again.
func (l *loader) compileFromParse(n *Node, ph *phResolver) bool {
	if n.Disabled && n.ResourceType != Model || n.ResourceType == Seed || n.Language == "python" {
		return true
	}
	if n.Render == nil || n.Render.Err != nil {
		if !n.Disabled {
			n.CompiledCode = n.RawCode
		}
		return true
	}
	if ph != nil && !ph.read {
		if out, m, ok := l.substitute(n, ph, n.Render); ok {
			r := *n.Render
			r.Output, r.Map = out, m
			n.Render = &r
			if !n.Disabled {
				// A model that is off gets the render its columns are read from, never the
				// compiled code dbt does not give it (see off.go).
				n.CompiledCode, n.Compiled = out, true
			}
			return true
		}
	}
	return false
}

// compileAgain renders n with its refs and sources resolved; false when the render failed.
func (l *loader) compileAgain(n *Node) bool {
	r := l.env.Render(jinja.Input{
		Path: n.RelPath, Source: n.RawCode, Package: n.Package, Name: n.Name, ResourceType: n.ResourceType,
		This: nodeRelation(n), Config: cloneConfig(n.Config), Resolver: nodeResolver{l: l, from: n.Package, off: n.Disabled},
	})
	shiftResult(r, n.RelPath, n.Template)
	if n.Disabled {
		// dbt never compiles it: what fails here is no fault of the project as configured.
		if r.Err == nil {
			n.Render = r
		}
		return r.Err == nil
	}
	if r.Err != nil {
		l.warn(n.Source().Position(0), "compile", "%s", firstLine(r.Err.Error()))
	}
	n.CompiledCode = r.Output
	n.Compiled = true
	n.Render = r
	return r.Err == nil
}

// LookupRelation maps a table reference found in SQL (1, 2 or 3 identifier parts, quoted or
// not, any case) to the node or source it denotes. It also accepts the forms a render without
// a Resolver produces: a model's bare name and "source_name.table_name".
func (p *Project) LookupRelation(parts []string) (string, bool) {
	p.relOnce.Do(p.buildRelIndex)
	if len(parts) == 0 || len(parts) > 3 {
		return "", false
	}
	clean := make([]string, len(parts))
	for i, s := range parts {
		clean[i] = strings.ToLower(UnquoteIdent(s))
	}
	ids := p.relIndex[strings.Join(clean, ".")]
	if len(ids) == 0 {
		return "", false
	}
	return ids[0], true
}

// UnquoteIdent strips the quotes around one name part ("x", `x`, [x]), as SQL reads it.
func UnquoteIdent(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 {
		switch {
		case s[0] == '"' && s[len(s)-1] == '"', s[0] == '`' && s[len(s)-1] == '`', s[0] == '[' && s[len(s)-1] == ']':
			return s[1 : len(s)-1]
		}
	}
	return s
}

// buildRelIndex indexes every relation by its 3-, 2- and 1-part names, lowercased. For each key
// the first id wins in this order: root-project models, other nodes, sources; exact relations
// before bare names.
func (p *Project) buildRelIndex() {
	var idx map[string][]string
	add := func(key, id string) {
		key = strings.ToLower(key)
		for _, x := range idx[key] {
			if x == id {
				return
			}
		}
		idx[key] = append(idx[key], id)
	}
	rootFirst := sortedNodes(p.Nodes)
	var ordered []*Node
	for _, pass := range []bool{true, false} {
		for _, n := range rootFirst {
			if n.ResourceType != Model && n.ResourceType != Seed && n.ResourceType != Snapshot {
				continue
			}
			if (n.Package == p.Name) == pass {
				ordered = append(ordered, n)
			}
		}
	}
	srcs := sortedSources(p.Sources)
	// Sized up front: a relation has three or four names, and growing the map to the
	// project's size copied it a dozen times.
	idx = make(map[string][]string, 3*(len(ordered)+len(srcs)))
	for _, n := range ordered {
		rel := nodeRelation(n)
		if rel.Database != "" {
			add(rel.Database+"."+rel.Schema+"."+rel.Identifier, n.UniqueID)
		}
		if rel.Schema != "" {
			add(rel.Schema+"."+rel.Identifier, n.UniqueID)
		}
	}
	for _, s := range srcs {
		// A source may spell its schema or identifier with the quotes it needs
		// (schema: '"REFERENCE"'): the SQL reading it names the bare parts.
		db, schema, ident := UnquoteIdent(s.Database), UnquoteIdent(s.Schema), UnquoteIdent(s.Identifier)
		add(db+"."+schema+"."+ident, s.UniqueID)
		add(schema+"."+ident, s.UniqueID)
	}
	// A ref() that names no node is rendered as its bare name. That name must not then be read
	// as another relation that happens to have it as its alias or identifier: the SQL meant a
	// model that is missing, not the aliased one.
	dangling := p.danglingRefNames(ordered)
	bare := func(ident, id string) {
		if !dangling[strings.ToLower(ident)] {
			add(ident, id)
		}
	}
	for _, n := range ordered {
		rel := nodeRelation(n)
		if rel.Ephemeral {
			add("__dbt__cte__"+n.Name, n.UniqueID)
		}
		if !strings.EqualFold(rel.Identifier, n.Name) {
			bare(rel.Identifier, n.UniqueID)
		}
		add(n.Name, n.UniqueID)
	}
	for _, s := range srcs {
		add(s.SourceName+"."+s.Name, s.UniqueID)
		bare(s.Identifier, s.UniqueID)
	}
	p.relIndex = idx
}

// danglingRefNames lists, lowercased, the names that some node's ref() asks for and that no
// model, seed or snapshot bears.
func (p *Project) danglingRefNames(relations []*Node) map[string]bool {
	names := make(map[string]bool, len(relations))
	for _, n := range relations {
		names[strings.ToLower(n.Name)] = true
	}
	var out map[string]bool
	for _, n := range p.Nodes {
		for _, r := range n.Refs {
			if name := strings.ToLower(r.Name); !names[name] {
				if out == nil {
					out = map[string]bool{}
				}
				out[name] = true
			}
		}
	}
	return out
}
