package dbt

import (
	"path"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// Partial rebuilds. A snapshot whose key, file list, resource paths and env vars still hold,
// but some of whose files changed, is restored anyway when every changed file is a SQL model
// that can be rebuilt alone: its node is built, rendered, named, resolved and compiled again as
// a full load would, its edges in the graph moved, and its diagnostics replaced. What the
// rebuild cannot prove equal to a full load makes it give up, and the load runs in full:
//
//   - a changed file of another kind (macro, property file, seed, snapshot, analysis, singular
//     test, docs, a Python model), a file added or removed, more than maxPatched files;
//   - a model that is versioned, disabled (before or after), not found once in the graph, or
//     whose render reads the clock (before or after) or was cut short;
//   - a model whose relation (database, schema, alias, relation name, being ephemeral)
//     changed: other nodes' compiled code names it;
//   - a project whose diagnostics hold a cycle or a naming macro's failure, or any diagnostic
//     in a macro file (a render's warning there may be the changed model's alone), or a
//     rebuild that finds a cycle or warns in a macro file.
//
// Everything else a model's file feeds is its own node: the set of models, their relations and
// the property files are unchanged, so every other node, test, source and exposure resolves
// as before.

// maxPatched bounds the files a partial rebuild takes on: past it, a full load (which stores a
// new snapshot on the next run) costs less than rebuilding ever more files on every run.
const maxPatched = 100

// changedFile is a file of the project that differs from the snapshot's, read again.
type changedFile struct {
	f    *srcFile
	data []byte
}

// patchable says whether the files changed since the snapshot are of kinds a partial rebuild
// takes on (checked before the snapshot is decoded).
func patchable(changed []changedFile) bool {
	if len(changed) > maxPatched {
		return false
	}
	for _, c := range changed {
		// An empty file is left to the full load, which tells one that could not be read.
		if c.f.kind != fileModel || strings.ToLower(path.Ext(c.f.rel)) != ".sql" || len(c.data) == 0 {
			return false
		}
	}
	return true
}

// patchSnapshot rebuilds, in the restored project, the nodes of the changed files; false when
// it cannot (see above), and the project is then loaded in full.
func (l *loader) patchSnapshot(changed []changedFile, files []*srcFile, body *snapBody) bool {
	p := l.p
	for _, v := range body.Volatile {
		for _, c := range changed {
			if v.Path == c.f.rootRel {
				return false
			}
		}
	}
	macroFile := map[string]bool{}
	byPath := map[string]*srcFile{}
	for _, f := range files {
		byPath[f.rootRel] = f
		if f.kind == fileMacro {
			macroFile[f.rootRel] = true
		}
	}
	for _, d := range body.Diagnostics {
		if d.Kind == "cycle" || d.Kind == "schema-macro" || macroFile[d.Pos.Path] {
			return false
		}
	}
	// The environment a load renders with, and its key in the cache.
	jopts := l.jinjaOptions(body.MacroFiles)
	jopts.Index = body.MacroIndex
	env := jinja.NewDeferred(jopts)
	l.env, p.Jinja, l.macroFiles, l.envDiags = env, env, body.MacroFiles, body.EnvDiags
	l.setupCache(jopts, body.EnvDiags)
	l.namers = newNamers(l)

	byFile := map[string]*Node{}
	for _, n := range p.Nodes {
		if c := byFile[n.RelPath]; c != nil || n.RelPath == "" {
			byFile[n.RelPath] = nil
			continue
		}
		byFile[n.RelPath] = n
	}
	disabled := map[string]bool{}
	for _, list := range p.Disabled {
		for _, n := range list {
			disabled[n.RelPath] = true
		}
	}

	type rebuilt struct {
		old, n *Node
		pd     *pending
		diags  []Diagnostic
	}
	var out []*rebuilt
	props := map[string]*properties{}
	for _, c := range changed {
		old := byFile[c.f.rootRel]
		if old == nil || disabled[c.f.rootRel] || old.ResourceType != Model || old.Version != "" || old.Language != "sql" {
			return false
		}
		f := c.f
		f.data = c.data
		ps := f.pkg
		n := l.newNode(ps, f, Model, stem(f.rel))
		if n.UniqueID != old.UniqueID {
			return false
		}
		// The config before the render: the project's trees, then the properties, which did not
		// change (so their descriptions, columns and diagnostics are the node's as before).
		n.Config = l.projectConfig(ps, Model, n.FQN)
		mark := len(l.diags)
		if old.Patch != nil {
			if old.Patch.Key != "models" {
				return false
			}
			pr, ok := props[old.Patch.File]
			if !ok {
				pf := byPath[old.Patch.File]
				if pf == nil || pf.kind != fileYAML {
					return false
				}
				var total atomic.Int64
				data, _, err := readSource(l.dir, pf, &total)
				if err != nil {
					return false
				}
				pf.data = trimBOM(data)
				if pr, err = l.readPropertyFile(pf); err != nil {
					return false
				}
				props[old.Patch.File] = pr
			}
			var pt *patch
			for _, x := range pr.Patches {
				if x.Key == "models" && x.Name == n.Name {
					pt = x
				}
			}
			if pt == nil || len(pt.Versions) > 0 || pt.Pos != old.Patch.Pos {
				return false
			}
			mergeConfig(n.Config, l.renderConfig(n.Package, pt.Pos, pt.Config))
			n.Patch, n.PatchPath, n.Description, n.Columns = old.Patch, old.PatchPath, old.Description, old.Columns
		}
		l.diags = l.diags[:mark]
		pd := &pending{node: n, file: f, source: n.RawCode}
		l.parseRender(pd)
		l.finalize(n)
		r := n.Render
		if l.unstable.Load() || n.Disabled || l.volatileRender(&jinja.Input{Source: pd.source}, r) ||
			n.Database != old.Database || n.Schema != old.Schema || n.Alias != old.Alias || n.RelationName != old.RelationName ||
			nodeRelation(n).Ephemeral != nodeRelation(old).Ephemeral {
			return false
		}
		for _, w := range r.Warnings {
			if w.Path != "" && w.Path != n.RelPath {
				return false
			}
		}
		out = append(out, &rebuilt{old: old, n: n, pd: pd, diags: l.takeDiags(mark)})
	}
	for _, rb := range out {
		p.Nodes[rb.n.UniqueID] = rb.n
	}
	// Every relation is the one before: the index resolves as the full load's.
	l.ix = l.newRefIndex()
	for _, rb := range out {
		mark := len(l.diags)
		l.resolveDeps(rb.n)
		rb.diags = append(rb.diags, l.takeDiags(mark)...)
		p.relink(rb.n.UniqueID, rb.n.DependsOn.Nodes)
	}
	for _, rb := range out {
		if p.onCycle(rb.n.UniqueID) {
			return false
		}
	}
	if l.opts.Compile {
		for _, rb := range out {
			mark := len(l.diags)
			if !l.compileFromParse(rb.n, rb.pd.ph) {
				l.compileAgain(rb.n)
			}
			rb.diags = append(rb.diags, l.takeDiags(mark)...)
		}
	}
	gone := map[string]bool{}
	for _, rb := range out {
		gone[rb.n.RelPath] = true
	}
	kept := make([]Diagnostic, 0, len(body.Diagnostics))
	for _, d := range body.Diagnostics {
		if !gone[d.Pos.Path] {
			kept = append(kept, d)
		}
	}
	for _, rb := range out {
		kept = append(kept, rb.diags...)
	}
	body.Diagnostics = kept
	l.patched = len(out)
	return true
}

// takeDiags removes the diagnostics reported since mark and returns them: a rebuilt node's
// own, which replace those the snapshot held for its file.
func (l *loader) takeDiags(mark int) []Diagnostic {
	d := slices.Clone(l.diags[mark:])
	l.diags = l.diags[:mark]
	return d
}

// relink sets the parents of node id (its depends_on, as buildMaps links them) and moves it
// between the child lists of its old and new parents.
func (p *Project) relink(id string, deps []string) {
	var parents []string
	for _, par := range deps {
		if _, ok := p.ChildMap[par]; ok {
			parents = append(parents, par)
		}
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)
	if parents == nil {
		parents = []string{}
	}
	for _, par := range p.ParentMap[id] {
		if _, still := slices.BinarySearch(parents, par); !still {
			kids := p.ChildMap[par]
			if i, ok := slices.BinarySearch(kids, id); ok {
				p.ChildMap[par] = slices.Delete(slices.Clone(kids), i, i+1)
			}
		}
	}
	old := p.ParentMap[id]
	for _, par := range parents {
		if _, was := slices.BinarySearch(old, par); !was {
			kids := p.ChildMap[par]
			if i, ok := slices.BinarySearch(kids, id); !ok {
				p.ChildMap[par] = slices.Insert(slices.Clone(kids), i, id)
			}
		}
	}
	p.ParentMap[id] = parents
}

// onCycle reports whether node id depends on itself, directly or through other nodes.
func (p *Project) onCycle(id string) bool {
	seen := map[string]bool{}
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, par := range p.ParentMap[cur] {
			if par == id {
				return true
			}
			if _, isNode := p.Nodes[par]; isNode && !seen[par] {
				seen[par] = true
				stack = append(stack, par)
			}
		}
	}
	return false
}
