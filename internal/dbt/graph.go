package dbt

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// refIndex resolves ref() and source() calls to unique ids.
type refIndex struct {
	byName   map[string][]*Node // enabled models, seeds, snapshots by name
	disabled map[string]bool    // names of disabled ones (for the message)
	off      map[string][]*Node // models, seeds, snapshots that are off, by name (refAny)
	sources  map[string][]*Source
	pkgOrder map[string]int
	root     string
}

func (l *loader) newRefIndex() *refIndex {
	ix := &refIndex{byName: make(map[string][]*Node, len(l.p.Nodes)), disabled: map[string]bool{},
		sources: make(map[string][]*Source, len(l.p.Sources)), pkgOrder: map[string]int{}, root: l.root.pkg.Name}
	for i, ps := range l.pkgs {
		ix.pkgOrder[ps.pkg.Name] = i
	}
	// Each list in the order of the unique ids: only the few names shared by several nodes
	// need sorting, not the whole project (a partial rebuild builds this index every run).
	for _, n := range l.p.Nodes {
		switch n.ResourceType {
		case Model, Seed, Snapshot:
			ix.byName[n.Name] = append(ix.byName[n.Name], n)
		}
	}
	for _, list := range ix.byName {
		if len(list) > 1 {
			slices.SortFunc(list, func(a, b *Node) int { return strings.Compare(a.UniqueID, b.UniqueID) })
		}
	}
	for _, list := range l.p.Disabled {
		for _, n := range list {
			ix.disabled[n.Name] = true
		}
	}
	if len(l.p.Disabled) > 0 {
		ix.offIndex(l.p)
	}
	for _, s := range l.p.Sources {
		k := s.SourceName + "\x00" + s.Name
		ix.sources[k] = append(ix.sources[k], s)
	}
	for _, list := range ix.sources {
		if len(list) > 1 {
			slices.SortFunc(list, func(a, b *Source) int { return strings.Compare(a.UniqueID, b.UniqueID) })
		}
	}
	return ix
}

// packagesToSearch: the caller's package, then the root project, then every other package in
// load order. (dbt's legacy order puts the root first; the package-first order is the one its
// newer behaviour flag adopts, and it only differs when two packages share a model name.)
func (ix *refIndex) rank(from, pkg string) int {
	switch pkg {
	case from:
		return 0
	case ix.root:
		return 1
	}
	return 2 + ix.pkgOrder[pkg]
}

// ref resolves one ref call made from package `from`. It returns the node or a reason.
func (ix *refIndex) ref(from string, r jinja.Ref) (*Node, string) {
	if best := ix.pick(ix.byName[r.Name], from, r); best != nil {
		return best, ""
	}
	what := fmt.Sprintf("ref('%s')", r.Name)
	if r.Package != "" {
		what = fmt.Sprintf("ref('%s', '%s')", r.Package, r.Name)
	}
	if r.Version != "" {
		what = strings.TrimSuffix(what, ")") + fmt.Sprintf(", v=%s)", r.Version)
	}
	if ix.disabled[r.Name] {
		return nil, what + " points to a disabled node"
	}
	return nil, what + " names no model, seed or snapshot"
}

// pick is the candidate a ref made from package from resolves to, nil when none fits.
func (ix *refIndex) pick(cands []*Node, from string, r jinja.Ref) *Node {
	var best *Node
	bestRank := 1 << 30
	for _, n := range cands {
		if r.Package != "" && n.Package != r.Package {
			continue
		}
		if r.Version != "" {
			if n.Version != r.Version {
				continue
			}
		} else if n.Version != "" && n.LatestVersion != "" && n.Version != n.LatestVersion {
			continue
		}
		rk := ix.rank(from, n.Package)
		if rk < bestRank {
			best, bestRank = n, rk
		}
	}
	return best
}

func (ix *refIndex) source(from string, s jinja.SourceRef) *Source {
	var best *Source
	bestRank := 1 << 30
	for _, c := range ix.sources[s.Source+"\x00"+s.Table] {
		if rk := ix.rank(from, c.Package); rk < bestRank {
			best, bestRank = c, rk
		}
	}
	return best
}

// buildGraph resolves every node's refs and sources into depends_on, fills the parent and child
// maps and reports unknown refs and cycles.
func (l *loader) buildGraph() error {
	ix := l.newRefIndex()
	l.ix = ix
	p := l.p
	// A test of a disabled node is disabled, silently, as dbt disables it (its event is at
	// debug level): a package's singular tests of models it disables by default are no fault.
	var offTests []*Node
	for _, n := range sortedNodes(p.Nodes) {
		if n.ResourceType == Test && l.testsDisabledNode(ix, n) {
			offTests = append(offTests, n)
			continue
		}
		l.resolveDeps(n)
	}
	for _, n := range offTests {
		delete(p.Nodes, n.UniqueID)
		n.Disabled = true
		if n.Config != nil {
			// A copy: the config may be shared with tests that stay enabled (a generic test's,
			// or any restored from a snapshot).
			n.Config = cloneConfig(n.Config)
			n.Config["enabled"] = false
		}
		p.Disabled[n.UniqueID] = append(p.Disabled[n.UniqueID], n)
	}
	for _, n := range p.OffModels("") {
		l.resolveOff(n)
	}
	for _, e := range p.Exposures {
		seen := map[string]bool{}
		e.DependsOn = DependsOn{Nodes: []string{}, Macros: []string{}}
		for _, r := range e.Refs {
			t, why := ix.ref(e.Package, r)
			if t == nil {
				l.warn(e.Pos, "unknown-ref", "exposure %s: %s", e.Name, why)
				continue
			}
			if !seen[t.UniqueID] {
				seen[t.UniqueID] = true
				e.DependsOn.Nodes = append(e.DependsOn.Nodes, t.UniqueID)
			}
		}
		for _, s := range e.SourceRefs {
			t := ix.source(e.Package, s)
			if t == nil {
				l.warn(e.Pos, "unknown-source", "exposure %s: source('%s', '%s') names no source table", e.Name, s.Source, s.Table)
				continue
			}
			if !seen[t.UniqueID] {
				seen[t.UniqueID] = true
				e.DependsOn.Nodes = append(e.DependsOn.Nodes, t.UniqueID)
			}
		}
	}
	p.buildMaps()
	l.findCycles()
	return nil
}

// resolveDeps resolves n's refs and sources into its depends_on with l.ix, reporting those that
// name nothing, and infers the sources of calls to unknown macros.
func (l *loader) resolveDeps(n *Node) {
	ix := l.ix
	deps := n.DependsOn.Nodes
	seen := map[string]bool{}
	for _, d := range deps {
		seen[d] = true
	}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			deps = append(deps, id)
		}
	}
	for _, r := range n.Refs {
		t, why := ix.ref(n.Package, r)
		if t == nil {
			l.warn(refPos(n, r.Pos), "unknown-ref", "%s", why)
			continue
		}
		add(t.UniqueID)
	}
	for _, s := range n.SourceRefs {
		t := ix.source(n.Package, s)
		if t == nil {
			l.warn(refPos(n, s.Pos), "unknown-source", "source('%s', '%s') names no source table", s.Source, s.Table)
			continue
		}
		add(t.UniqueID)
	}
	if deps == nil {
		deps = []string{}
	}
	if n.DependsOn.Macros == nil {
		n.DependsOn.Macros = []string{}
	}
	n.DependsOn.Nodes = deps
	l.inferSources(n)
}

// testsDisabledNode reports whether test n refers to a node or source that is disabled (and
// to nothing that does not exist, which stays an error to report).
func (l *loader) testsDisabledNode(ix *refIndex, n *Node) bool {
	off := false
	for _, r := range n.Refs {
		if t, _ := ix.ref(n.Package, r); t == nil {
			if !ix.disabled[r.Name] {
				return false
			}
			off = true
		}
	}
	for _, s := range n.SourceRefs {
		if ix.source(n.Package, s) == nil {
			if !l.disabledSource(s) {
				return false
			}
			off = true
		}
	}
	return off
}

func (l *loader) disabledSource(s jinja.SourceRef) bool {
	for _, d := range l.p.DisabledSources {
		if d.SourceName == s.Source && d.Name == s.Table {
			return true
		}
	}
	return false
}

func refPos(n *Node, pos jinja.Position) Pos {
	return Pos{Path: n.RelPath, Line: pos.Line, Column: pos.Column}
}

// buildMaps fills ParentMap and ChildMap over nodes, sources and exposures (dbt's shape: every
// id present, lists sorted).
func (p *Project) buildMaps() {
	p.ParentMap = map[string][]string{}
	p.ChildMap = map[string][]string{}
	for id := range p.Nodes {
		p.ParentMap[id] = []string{}
		p.ChildMap[id] = []string{}
	}
	for id := range p.Sources {
		p.ParentMap[id] = []string{}
		p.ChildMap[id] = []string{}
	}
	for id := range p.Exposures {
		p.ParentMap[id] = []string{}
		p.ChildMap[id] = []string{}
	}
	link := func(child string, parents []string) {
		for _, par := range parents {
			if _, ok := p.ChildMap[par]; !ok {
				continue
			}
			p.ParentMap[child] = append(p.ParentMap[child], par)
			p.ChildMap[par] = append(p.ChildMap[par], child)
		}
	}
	for id, n := range p.Nodes {
		link(id, n.DependsOn.Nodes)
	}
	for id, e := range p.Exposures {
		link(id, e.DependsOn.Nodes)
	}
	for _, m := range []map[string][]string{p.ParentMap, p.ChildMap} {
		for k, v := range m {
			sort.Strings(v)
			m[k] = dedupSorted(v)
		}
	}
}

func dedupSorted(v []string) []string {
	j := 0
	for i := range v {
		if i == 0 || v[i] != v[j-1] {
			v[j] = v[i]
			j++
		}
	}
	return v[:j]
}

// findCycles reports every strongly connected component of the node graph with more than one
// node (or a node that refs itself) as an error diagnostic naming the cycle.
func (l *loader) findCycles() {
	p := l.p
	ids := make([]string, 0, len(p.Nodes))
	for id := range p.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parents := func(id string) []string {
		var out []string
		for _, w := range p.ParentMap[id] {
			if _, isNode := p.Nodes[w]; isNode {
				out = append(out, w)
			}
		}
		return out
	}
	for _, comp := range StronglyConnected(ids, parents) {
		self := len(comp) == 1 && slices.Contains(p.ParentMap[comp[0]], comp[0])
		if len(comp) > 1 || self {
			l.reportCycle(comp)
		}
	}
}

// reportCycle orders a component as a walk along refs (a -> b means a depends on b).
func (l *loader) reportCycle(comp []string) {
	sort.Strings(comp)
	in := map[string]bool{}
	for _, c := range comp {
		in[c] = true
	}
	path := []string{comp[0]}
	seen := map[string]bool{comp[0]: true}
	cur := comp[0]
	for {
		next := ""
		for _, par := range l.p.ParentMap[cur] {
			if in[par] && (!seen[par] || par == comp[0]) {
				next = par
				if par != comp[0] {
					break
				}
			}
		}
		if next == "" {
			break
		}
		path = append(path, next)
		if next == comp[0] {
			break
		}
		seen[next] = true
		cur = next
	}
	// Each step is located at the ref() that makes it, so the message shows where to cut.
	var steps []string
	var first Pos
	var at []Pos
	for i := 0; i+1 < len(path); i++ {
		pos, call := l.refTo(l.p.Nodes[path[i]], path[i+1])
		if i == 0 {
			first = pos
		}
		steps = append(steps, diagWhere(pos)+" "+call)
		at = append(at, pos)
	}
	if len(steps) == 0 {
		n := l.p.Nodes[comp[0]]
		first = Pos{Path: n.RelPath, Line: 1, Column: 1}
	}
	l.addDiag(Diagnostic{Pos: first, Severity: "error", Kind: "cycle", Steps: at,
		Message: "dependency cycle: " + strings.Join(path, " -> ") + " (" + strings.Join(steps, ", ") + ")"})
}

// refTo finds the ref() call of n that resolves to the node to, with its position.
func (l *loader) refTo(n *Node, to string) (Pos, string) {
	for _, r := range n.Refs {
		if t, _ := l.ix.ref(n.Package, r); t != nil && t.UniqueID == to {
			return refPos(n, r.Pos), fmt.Sprintf("ref('%s')", r.Name)
		}
	}
	return Pos{Path: n.RelPath, Line: 1, Column: 1}, "depends on " + to
}

func diagWhere(p Pos) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Column)
	}
	return p.Path
}

// Models returns the enabled models sorted by unique id.
func (p *Project) Models() []*Node {
	var out []*Node
	for _, n := range p.Nodes {
		if n.ResourceType == Model {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

type idHeap []string

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TopoOrder lists every node so that each comes after the nodes it depends on; ties go by
// unique id. Nodes on a cycle come last, by id.
func (p *Project) TopoOrder() []string {
	indeg := make(map[string]int, len(p.Nodes))
	for id := range p.Nodes {
		n := 0
		for _, par := range p.ParentMap[id] {
			if _, ok := p.Nodes[par]; ok {
				n++
			}
		}
		indeg[id] = n
	}
	h := &idHeap{}
	for id, d := range indeg {
		if d == 0 {
			*h = append(*h, id)
		}
	}
	heap.Init(h)
	out := make([]string, 0, len(p.Nodes))
	for h.Len() > 0 {
		id := heap.Pop(h).(string)
		out = append(out, id)
		for _, c := range p.ChildMap[id] {
			if _, ok := indeg[c]; !ok {
				continue
			}
			indeg[c]--
			if indeg[c] == 0 {
				heap.Push(h, c)
			}
		}
	}
	if len(out) < len(p.Nodes) {
		var rest []string
		for id, d := range indeg {
			if d > 0 {
				rest = append(rest, id)
			}
		}
		sort.Strings(rest)
		out = append(out, rest...)
	}
	return out
}

// NodeByName returns the enabled model with this name (its latest version when versioned),
// from the root project first, then packages in load order; nil when there is none.
func (p *Project) NodeByName(name string) *Node {
	var best *Node
	bestRank := 1 << 30
	order := map[string]int{}
	for i, pk := range p.Packages {
		order[pk.Name] = i
	}
	for _, n := range p.Nodes {
		if n.ResourceType != Model || n.Name != name {
			continue
		}
		if n.Version != "" && n.LatestVersion != "" && n.Version != n.LatestVersion {
			continue
		}
		rk, ok := order[n.Package]
		if !ok {
			rk = len(order)
		}
		if rk < bestRank || rk == bestRank && n.UniqueID < best.UniqueID {
			best, bestRank = n, rk
		}
	}
	return best
}

// Upstream lists the ids a node depends on, transitively up to depth levels (depth <= 0: all).
func (p *Project) Upstream(id string, depth int) []string { return p.walk(id, depth, p.ParentMap) }

// Downstream lists the ids that depend on a node, transitively up to depth levels (depth <= 0:
// all).
func (p *Project) Downstream(id string, depth int) []string { return p.walk(id, depth, p.ChildMap) }

func (p *Project) walk(id string, depth int, m map[string][]string) []string {
	seen := map[string]bool{id: true}
	frontier := []string{id}
	var out []string
	for level := 1; len(frontier) > 0 && (depth <= 0 || level <= depth); level++ {
		var next []string
		for _, cur := range frontier {
			for _, nb := range m[cur] {
				if !seen[nb] {
					seen[nb] = true
					out = append(out, nb)
					next = append(next, nb)
				}
			}
		}
		frontier = next
	}
	sort.Strings(out)
	return out
}
