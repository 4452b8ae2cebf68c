package dbt

import (
	"sort"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// Models switched off by configuration (`enabled: false`, often through a var a package's users
// set) are listed under the manifest's `disabled` and take no part in the graph, as in dbt. Their
// authors still develop them: a change adds columns to them and documents them. So the loader
// also resolves what each one reads (Node.OffDependsOn), falling back on other models that are
// off where no enabled one answers a ref (a family of models switched off by one var refers to
// itself), and gives it a render with its refs resolved (Node.Render; CompiledCode stays empty,
// as dbt never compiles it). Nothing enabled ever resolves to a model that is off.

// OffNode is the model, seed or snapshot of that id that is off, when no enabled node has the
// id; nil otherwise.
func (p *Project) OffNode(id string) *Node {
	if len(p.Disabled) == 0 {
		return nil
	}
	if _, on := p.Nodes[id]; on {
		return nil
	}
	for _, n := range p.Disabled[id] {
		switch n.ResourceType {
		case Model, Seed, Snapshot:
			return n
		}
	}
	return nil
}

// AnyNode is the enabled node of that id, else the model, seed or snapshot that is off.
func (p *Project) AnyNode(id string) *Node {
	if n, ok := p.Nodes[id]; ok {
		return n
	}
	return p.OffNode(id)
}

// OffModels lists the models of package pkg ("" for every package) that are off and have no
// enabled node of the same id, by unique id.
func (p *Project) OffModels(pkg string) []*Node {
	var out []*Node
	for id := range p.Disabled {
		if n := p.OffNode(id); n != nil && n.ResourceType == Model && (pkg == "" || n.Package == pkg) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

// offIndex indexes the models, seeds and snapshots that are off by name, for refAny.
func (ix *refIndex) offIndex(p *Project) {
	ix.off = map[string][]*Node{}
	for _, id := range sortedKeys(p.Disabled) {
		if n := p.OffNode(id); n != nil {
			ix.off[n.Name] = append(ix.off[n.Name], n)
		}
	}
}

// refAny resolves a ref made by a model that is off: to the enabled node dbt would pick, else
// to a node that is off, by the same rules.
func (ix *refIndex) refAny(from string, r jinja.Ref) *Node {
	if n, _ := ix.ref(from, r); n != nil {
		return n
	}
	return ix.pick(ix.off[r.Name], from, r)
}

// resolveOff fills OffDependsOn of a model that is off. Nothing is reported: dbt never links
// such a model, so what it names is no fault of the project as configured.
func (l *loader) resolveOff(n *Node) {
	var deps []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			deps = append(deps, id)
		}
	}
	for _, r := range n.Refs {
		if t := l.ix.refAny(n.Package, r); t != nil && t != n {
			add(t.UniqueID)
		}
	}
	for _, s := range n.SourceRefs {
		if t := l.ix.source(n.Package, s); t != nil {
			add(t.UniqueID)
		}
	}
	n.OffDependsOn = deps
}
