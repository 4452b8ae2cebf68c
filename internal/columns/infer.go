package columns

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// Infer computes the output columns of every model, snapshot, seed and source of the project
// (or of opts.Models and everything upstream of them). Nodes are inferred in DAG order, in
// parallel where the DAG allows, so a star over a model expands from what was inferred for it.
// Infer never fails: what it cannot resolve is reported on the node.
func Infer(p *dbt.Project, opts Options) *Result {
	name, fallback := opts.Dialect, ""
	if name == "" {
		if name = guessDialect(p); name != "" && name != p.Adapter {
			// The loader rendered the relations as its adapter quotes them: a model whose
			// SQL the guess cannot read is read as the loader wrote it.
			fallback = p.Adapter
		}
	}
	if name == "" {
		name = p.Adapter
	}
	inf := &inferrer{
		p:     p,
		opts:  opts,
		d:     dialectFor(name),
		rels:  newRelations(p),
		slots: map[string]*slot{},
	}
	if fallback != "" {
		inf.fallback = dialectFor(fallback).name
	}
	if inf.opts.Ctx == nil {
		inf.opts.Ctx = context.Background()
	}
	if inf.opts.Cache.Hold() != nil {
		inf.opts.Cache = nil // unreadable: this run goes without
	}
	defer inf.opts.Cache.Release()
	inf.run()
	res := &Result{Dialect: inf.d.name, Fallback: inf.fallback, Nodes: make(map[string]*Node, len(inf.slots))}
	for id, s := range inf.slots {
		if s.out != nil {
			res.Nodes[id] = s.out
		}
	}
	return res
}

type inferrer struct {
	p    *dbt.Project
	opts Options
	d    *dialect
	// fallback is the loader's dialect when d is a guess (see Infer), else "".
	fallback string
	rels     *relations
	slots    map[string]*slot // fixed before the parallel phase; each slot written by one goroutine

	listingOnce sync.Once
	listing     map[string]bool // ids of macros that may list a relation's columns

	offOnce sync.Once
	off     *relations // the relations of the nodes that are off, once a model that is off asks
}

func (inf *inferrer) offRelations() *relations {
	inf.offOnce.Do(func() { inf.off = newOffRelations(inf.p) })
	return inf.off
}

// slot is one node's place in the run. out is written once, before any child is scheduled.
type slot struct {
	id      string
	node    *dbt.Node   // nil for sources
	source  *dbt.Source // nil for nodes
	parents []string    // ids in the selection
	kids    []string
	pending int // parents not done yet; guarded by inferrer's scheduler
	prep    *prepared
	// key and cached are the node's entry in Options.Cache and what it held (see cache.go).
	key     *cache.Key
	cached  *cachedNode
	out     *Node
	relOnce sync.Once
	rel     *nodeRelation // what a reference to this node exposes, once out is set
	// named lists the nodes the SQL reads by relation name, not by ref (see namedRelations).
	named []string
}

// selection returns the ids to infer: everything, or the requested models and their ancestors.
func (inf *inferrer) selection() []string {
	p := inf.p
	want := map[string]bool{}
	if len(inf.opts.Models) == 0 {
		for id, n := range p.Nodes {
			if inferable(n) {
				want[id] = true
			}
		}
		for id := range p.Sources {
			want[id] = true
		}
		if inf.opts.Off {
			for _, n := range p.OffModels(p.Name) {
				inf.withAncestors(want, n.UniqueID)
			}
		}
	} else {
		for _, id := range inf.opts.Models {
			inf.withAncestors(want, id)
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// withAncestors adds id to want with everything it depends on.
func (inf *inferrer) withAncestors(want map[string]bool, id string) {
	if want[id] {
		return
	}
	if n := inf.node(id); n != nil && inferable(n) {
		want[id] = true
		for _, up := range n.Reads() {
			inf.withAncestors(want, up)
		}
	} else if _, ok := inf.p.Sources[id]; ok {
		want[id] = true
	}
}

// node is the enabled node of that id, else the model, seed or snapshot that is off (only a
// model that is off reads one: see dbt.Node.OffDependsOn).
func (inf *inferrer) node(id string) *dbt.Node { return inf.p.AnyNode(id) }

func inferable(n *dbt.Node) bool {
	switch n.ResourceType {
	case dbt.Model, dbt.Seed, dbt.Snapshot:
		return true
	}
	return false
}

func (inf *inferrer) run() {
	ids := inf.selection()
	workers := inf.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	stage := inf.opts.Progress.Stage("inferring columns", len(ids))
	defer stage.Done()
	inf.addSlots(ids, workers)
	// A model may read another by its relation name instead of ref() (`from stg.orders`): that
	// model must be inferred too, and first. With a selection, what such names reach (and its
	// ancestors) joins it, until no name reaches further.
	for len(inf.opts.Models) > 0 {
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		var added []string
		for _, id := range ids {
			for _, up := range inf.slots[id].named {
				if !want[up] {
					inf.withAncestors(want, up)
				}
			}
		}
		for id := range want {
			if inf.slots[id] == nil {
				added = append(added, id)
			}
		}
		if len(added) == 0 {
			break
		}
		sort.Strings(added)
		more := inf.opts.Progress.Stage("inferring columns", len(added))
		defer more.Done()
		inf.addSlots(added, workers)
		ids = append(ids, added...)
		sort.Strings(ids)
	}
	for _, id := range ids {
		s := inf.slots[id]
		if s.node == nil {
			continue
		}
		seen := map[string]bool{}
		for _, up := range s.node.Reads() {
			if u, ok := inf.slots[up]; ok && !seen[up] && up != id {
				seen[up] = true
				s.parents = append(s.parents, up)
				u.kids = append(u.kids, id)
			}
		}
		s.pending = len(s.parents)
	}

	inf.breakCycles(ids)
	inf.addNamedEdges(ids)

	// Then infer in DAG order: a node is ready when all its parents are done.
	var mu sync.Mutex
	ready := make(chan *slot, len(ids))
	remaining := len(ids)
	for _, id := range ids {
		if s := inf.slots[id]; s.pending == 0 {
			ready <- s
		}
	}
	done := make(chan struct{})
	if remaining == 0 {
		close(done)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case s := <-ready:
					inf.inferSlot(s)
					stage.Add(1)
					mu.Lock()
					for _, k := range s.kids {
						ks := inf.slots[k]
						ks.pending--
						if ks.pending == 0 {
							ready <- ks
						}
					}
					remaining--
					if remaining == 0 {
						close(done)
					}
					mu.Unlock()
				case <-done:
					return
				}
			}
		}()
	}
	wg.Wait()
}

// addSlots makes the slots of ids and parses their models: parsing needs nothing upstream, so
// it runs fully in parallel. A model with a stored inference is parsed only if that turns out
// stale. Each model's relation names are resolved while at it (see namedRelations).
func (inf *inferrer) addSlots(ids []string, workers int) {
	var models []*slot
	for _, id := range ids {
		s := &slot{id: id}
		if n := inf.node(id); n != nil {
			s.node = n
		} else {
			s.source = inf.p.Sources[id]
		}
		inf.slots[id] = s
		if s.node != nil && s.node.ResourceType != dbt.Seed {
			models = append(models, s)
		}
	}
	parallel(workers, len(models), func(i int) {
		s := models[i]
		if inf.lookupCached(s); s.cached == nil {
			s.prep = inf.prepare(s.node)
		}
		s.named = inf.namedRelations(s)
	})
}

// namedRelations lists the nodes and sources s's SQL reads by their relation names without
// depending on them (a hard-coded `stg.orders` where ref('orders') belongs). A stored
// inference lists the names it looked up; they are resolved again, as fromCache will.
// Otherwise the names come from the FROM items of the parsed SQL, CTEs aside.
func (inf *inferrer) namedRelations(s *slot) []string {
	var names [][]string
	switch {
	case s.cached != nil:
		for _, l := range s.cached.deps.lookups {
			names = append(names, strings.Split(l.parts, "\x00"))
		}
	case s.prep != nil && s.prep.file != nil:
		ctes := map[string]bool{}
		ast.Inspect(s.prep.file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CTE:
				if x.Name != nil {
					ctes[strings.ToLower(x.Name.Name)] = true
				}
			case *ast.TableName:
				if x.Stage == "" && x.Name != nil && len(x.Name.Parts) > 0 {
					parts := make([]string, len(x.Name.Parts))
					for i, p := range x.Name.Parts {
						parts[i] = p.Name
					}
					names = append(names, parts)
				}
			}
			return true
		})
		kept := names[:0]
		for _, parts := range names {
			if len(parts) != 1 || !ctes[strings.ToLower(parts[0])] {
				kept = append(kept, parts)
			}
		}
		names = kept
	}
	prefer := s.node.Reads()
	var out []string
	for _, parts := range names {
		id, ok := inf.lookupFrom(s.node, parts)
		if !ok || id == s.id || slices.Contains(prefer, id) || slices.Contains(out, id) {
			continue
		}
		if n := inf.node(id); n != nil && inferable(n) {
			out = append(out, id)
		} else if _, ok := inf.p.Sources[id]; ok {
			// a source too is inferred in the run: its reader waits for it
			out = append(out, id)
		}
	}
	return out
}

// addNamedEdges makes each node a child of the nodes it reads by relation name, so they are
// inferred first. The graph is acyclic here (breakCycles ran); an edge that would close a
// cycle is left out, and the node is read as before, with whatever is known of the other.
func (inf *inferrer) addNamedEdges(ids []string) {
	for _, id := range ids {
		s := inf.slots[id]
		for _, up := range s.named {
			u := inf.slots[up]
			if u == nil || slices.Contains(s.parents, up) || inf.reaches(id, up) {
				continue
			}
			s.parents = append(s.parents, up)
			u.kids = append(u.kids, id)
			s.pending++
		}
	}
}

// reaches reports whether to is downstream of from (or is from).
func (inf *inferrer) reaches(from, to string) bool {
	seen := map[string]bool{from: true}
	stack := []string{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == to {
			return true
		}
		for _, k := range inf.slots[id].kids {
			if !seen[k] {
				seen[k] = true
				stack = append(stack, k)
			}
		}
	}
	return false
}

// breakCycles drops the edges inside each cycle (the loader reports the cycle itself), so every
// node is inferred once, with whatever is known upstream of it. Only edges between members of
// one strongly connected component go: a node downstream of a cycle still waits for it, else it
// would race with the cycle's members and see their columns or not by the workers' timing.
func (inf *inferrer) breakCycles(ids []string) {
	comp := inf.components(ids)
	for _, id := range ids {
		s := inf.slots[id]
		kept := s.parents[:0]
		for _, up := range s.parents {
			if comp[up] != comp[id] {
				kept = append(kept, up)
			}
		}
		s.parents = kept
		s.pending = len(kept)
		kids := s.kids[:0]
		for _, k := range s.kids {
			if comp[k] != comp[id] {
				kids = append(kids, k)
			}
		}
		s.kids = kids
	}
}

// components numbers the strongly connected components of the graph of ids along kids
// (Tarjan's algorithm, iterative: a chain of thousands of models must not grow the stack).
func (inf *inferrer) components(ids []string) map[string]int {
	comp := make(map[string]int, len(ids))
	for i, c := range dbt.StronglyConnected(ids, func(id string) []string { return inf.slots[id].kids }) {
		for _, id := range c {
			comp[id] = i
		}
	}
	return comp
}

// parallel runs f(0..n-1) on up to workers goroutines.
func parallel(workers, n int, f func(int)) {
	if n == 0 {
		return
	}
	if workers > n {
		workers = n
	}
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func (inf *inferrer) inferSlot(s *slot) {
	defer func() {
		// A bug here must not take the whole run down: the node is reported, the rest goes on.
		if r := recover(); r != nil {
			s.out = &Node{UniqueID: s.id, Unresolved: []Problem{{Kind: "internal-error",
				Reason: fmt.Sprintf("internal error while inferring columns: %v", r)}}}
			s.out.reindex()
		}
	}()
	switch {
	case s.source != nil:
		s.out = inf.inferSource(s.source)
	case s.node.ResourceType == dbt.Seed:
		s.out = inf.inferSeed(s.node)
	default:
		if out, ok := inf.fromCache(s); ok {
			s.out = out
			break
		}
		if s.prep == nil {
			s.prep = inf.prepare(s.node)
		}
		var deps *colDeps
		if s.key != nil {
			deps = &colDeps{}
		}
		s.out = inf.inferModel(s, deps)
		if deps != nil {
			inf.store(s, deps)
		}
	}
	if s.out.UniqueID == "" {
		s.out.UniqueID = s.id
	}
	s.out.reindex()
}
