package change

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// A light base. When a change touches only models and property files (no dbt_project.yml, no
// packages), the base differs from the head in those files alone. Rather than writing and
// loading the whole base project, Detect writes a small tree (the project's top-level files,
// its macros, the base versions of the changed files and of the property files beside them),
// loads it, and merges its nodes into a copy of the head's graph. On a 3,000-model project with
// a 10-model change that is a load of a few dozen files instead of thousands.

// maxLightFiles bounds the change for which a light base is used; past it the full base is as
// cheap and simpler.
const maxLightFiles = 300

// lightEligible reports whether the changed files allow a light base.
func lightEligible(changed []string) bool {
	if changed == nil || len(changed) > maxLightFiles {
		return false
	}
	for _, f := range changed {
		if projectLevelFile(f) || f == "package-lock.yml" {
			return false
		}
	}
	return true
}

// lightFilter returns which base files go into the light tree: top-level files, macros, docs
// files, the changed files and the property files in the folders of changed files.
func lightFilter(projectDir string, changed []string) func(rel string) bool {
	macroPaths := projectMacroPaths(projectDir)
	changedSet := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range changed {
		changedSet[f] = true
		dirs[path.Dir(f)] = true
	}
	return func(rel string) bool {
		if !strings.Contains(rel, "/") || changedSet[rel] {
			return true
		}
		for _, mp := range macroPaths {
			if strings.HasPrefix(rel, mp+"/") {
				return true
			}
		}
		ext := strings.ToLower(path.Ext(rel))
		if ext == ".md" {
			// Docs blocks: a base entry's doc() must read the same text as the head's.
			return true
		}
		return (ext == ".yml" || ext == ".yaml") && dirs[path.Dir(rel)]
	}
}

// projectMacroPaths reads macro-paths (and test-paths, whose generic/ folder holds macros) from
// dbt_project.yml; dbt's defaults when absent.
func projectMacroPaths(dir string) []string {
	out := []string{"macros", "tests"}
	data, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml"))
	if err != nil {
		return out
	}
	var doc struct {
		MacroPaths []string `yaml:"macro-paths"`
		TestPaths  []string `yaml:"test-paths"`
	}
	if yamllimit.Unmarshal(data, &doc) != nil {
		return out
	}
	if len(doc.MacroPaths)+len(doc.TestPaths) == 0 {
		return out
	}
	out = nil
	for _, p := range append(doc.MacroPaths, doc.TestPaths...) {
		p = strings.Trim(path.Clean(strings.TrimPrefix(filepath.ToSlash(p), "./")), "/")
		if p != "" && p != "." {
			out = append(out, p)
		}
	}
	return out
}

// mergeBase builds the base project from the head and a light load of the base: every node of
// a changed file comes from the light load (a removed model included), every other node is the
// head's. Refs of the light nodes are resolved again against the merged nodes, and the graph
// maps are rebuilt.
func mergeBase(head, light *dbt.Project, changed []string) *dbt.Project {
	changedSet := map[string]bool{}
	for _, f := range changed {
		changedSet[f] = true
	}
	root := rootName(head)
	fromChanged := func(n *dbt.Node) bool { return n.Package == root && changedSet[n.OriginalFilePath] }
	p := &dbt.Project{
		Root: light.Root, Name: head.Name, Version: head.Version, ConfigVersion: head.ConfigVersion,
		RequireDbtVersion: head.RequireDbtVersion, Profile: head.Profile, Adapter: head.Adapter, AdapterFrom: head.AdapterFrom,
		ModelPaths: head.ModelPaths, SeedPaths: head.SeedPaths, SnapshotPaths: head.SnapshotPaths,
		MacroPaths: head.MacroPaths, TestPaths: head.TestPaths, AnalysisPaths: head.AnalysisPaths,
		DocsPaths: head.DocsPaths, PackagesInstallPath: head.PackagesInstallPath, Vars: head.Vars,
		Packages: head.Packages, Macros: light.Macros, Docs: head.Docs, Unparsed: head.Unparsed,
		Exposures: head.Exposures, Jinja: light.Jinja, Target: head.Target, Quoting: head.Quoting,
		Nodes:   make(map[string]*dbt.Node, len(head.Nodes)),
		Sources: make(map[string]*dbt.Source, len(head.Sources)),
	}
	for id, n := range head.Nodes {
		if !fromChanged(n) {
			p.Nodes[id] = n
		}
	}
	var lightNodes []*dbt.Node
	for id, n := range light.Nodes {
		if !fromChanged(n) || n.ResourceType == dbt.Test {
			continue
		}
		if n.Patch == nil {
			// Its property file did not change: the head's entry is the base's.
			if hn := head.Nodes[id]; hn != nil && hn.Patch != nil {
				c := *n
				c.Patch, c.PatchPath, c.Columns, c.Description = hn.Patch, hn.PatchPath, hn.Columns, hn.Description
				n = &c
			}
		}
		p.Nodes[id] = n
		lightNodes = append(lightNodes, n)
	}
	for id, s := range head.Sources {
		p.Sources[id] = s
	}
	for id, s := range light.Sources {
		if s.Package == root && changedSet[s.OriginalFilePath] {
			p.Sources[id] = s
		}
	}
	// Property entries of unchanged models declared in a changed property file come from the
	// base version of that file. So does their configuration: a `config:` block in the entry
	// weighs on it as config() does, so the light load's merge (the unchanged SQL, the project
	// and the base entry) is the base's, and so is what follows from it (the relation, tags,
	// meta, whether it is enabled).
	for id, n := range p.Nodes {
		ln := light.Nodes[id]
		if ln == nil || fromChanged(n) || ln.Patch == nil || !changedSet[ln.Patch.File] {
			continue
		}
		c := *n
		c.Patch, c.PatchPath, c.Columns, c.Description = ln.Patch, ln.PatchPath, ln.Columns, ln.Description
		c.Config, c.Alias, c.Database, c.Schema, c.RelationName = ln.Config, ln.Alias, ln.Database, ln.Schema, ln.RelationName
		c.Tags, c.Meta, c.Disabled = ln.Tags, ln.Meta, ln.Disabled
		p.Nodes[id] = &c
	}
	lightOff := mergeOff(p, head, light, fromChanged, changedSet)
	resolve := newResolver(p, root)
	for _, n := range lightOff {
		// What a model that is off reads, as the loader resolves it (dbt.Node.OffDependsOn):
		// enabled nodes first, else other models that are off.
		var deps []string
		for _, r := range n.Refs {
			id := resolve.ref(n.Package, r.Package, r.Name, r.Version)
			if id == "" {
				id = resolve.offRef(p, n.Package, r.Package, r.Name, r.Version)
			}
			if id != "" && id != n.UniqueID {
				deps = append(deps, id)
			}
		}
		for _, s := range n.SourceRefs {
			if id := resolve.source(s.Source, s.Table); id != "" {
				deps = append(deps, id)
			}
		}
		n.OffDependsOn = uniq(deps)
	}
	for _, n := range lightNodes {
		var deps []string
		for _, r := range n.Refs {
			if id := resolve.ref(n.Package, r.Package, r.Name, r.Version); id != "" {
				deps = append(deps, id)
			}
		}
		for _, s := range n.SourceRefs {
			if id := resolve.source(s.Source, s.Table); id != "" {
				deps = append(deps, id)
			}
		}
		n.DependsOn.Nodes = uniq(deps)
	}
	buildMaps(p)
	return p
}

// mergeOff gives p the head's nodes that are off, those of changed files taken from the light
// load instead, as mergeBase does with enabled ones; it returns the light load's models that
// are off (copies: their links are resolved again against p).
func mergeOff(p, head, light *dbt.Project, fromChanged func(*dbt.Node) bool, changedSet map[string]bool) []*dbt.Node {
	p.Disabled = make(map[string][]*dbt.Node, len(head.Disabled))
	for id, list := range head.Disabled {
		for _, n := range list {
			if !fromChanged(n) {
				p.Disabled[id] = append(p.Disabled[id], n)
			}
		}
	}
	var out []*dbt.Node
	for id, list := range light.Disabled {
		for _, n := range list {
			if !fromChanged(n) || n.ResourceType == dbt.Test {
				continue
			}
			c := *n
			if c.Patch == nil {
				if hn := head.OffNode(id); hn != nil && hn.Patch != nil {
					c.Patch, c.PatchPath, c.Columns, c.Description = hn.Patch, hn.PatchPath, hn.Columns, hn.Description
				}
			}
			p.Disabled[id] = append(p.Disabled[id], &c)
			if c.ResourceType == dbt.Model {
				out = append(out, &c)
			}
		}
	}
	// An unchanged model that is off, whose entry sits in a changed property file: the entry
	// is the base's.
	for id, list := range p.Disabled {
		ln := light.OffNode(id)
		if ln == nil || ln.Patch == nil || !changedSet[ln.Patch.File] {
			continue
		}
		for i, n := range list {
			if fromChanged(n) || n.ResourceType == dbt.Test {
				continue
			}
			c := *n
			c.Patch, c.PatchPath, c.Columns, c.Description = ln.Patch, ln.PatchPath, ln.Columns, ln.Description
			list[i] = &c
		}
	}
	return out
}

// offRef resolves a ref of a model that is off that no enabled node answers, to a model,
// seed or snapshot that is off, by the loader's rules.
func (r *resolver) offRef(p *dbt.Project, from, pkg, name, version string) string {
	if r.off == nil {
		r.off = &resolver{root: r.root, byName: map[string][]*dbt.Node{}}
		for id := range p.Disabled {
			if n := p.OffNode(id); n != nil {
				r.off.byName[n.Name] = append(r.off.byName[n.Name], n)
			}
		}
	}
	return r.off.ref(from, pkg, name, version)
}

// resolver resolves refs the way the loader does: the caller's package first, then the root,
// then any other; an unversioned ref to a versioned model means its latest version.
type resolver struct {
	root    string
	byName  map[string][]*dbt.Node
	sources map[string]string
	off     *resolver // the nodes that are off, once a model that is off asks (offRef)
}

func newResolver(p *dbt.Project, root string) *resolver {
	r := &resolver{root: root, byName: map[string][]*dbt.Node{}, sources: map[string]string{}}
	for _, n := range p.Nodes {
		switch n.ResourceType {
		case dbt.Model, dbt.Seed, dbt.Snapshot:
			if !n.Disabled {
				r.byName[n.Name] = append(r.byName[n.Name], n)
			}
		}
	}
	for id, s := range p.Sources {
		k := s.SourceName + "\x00" + s.Name
		if prev, ok := r.sources[k]; !ok || s.Package == root && !strings.Contains(prev, "."+root+".") {
			r.sources[k] = id
		}
	}
	return r
}

func (r *resolver) ref(from, pkg, name, version string) string {
	best, bestRank := "", 1<<30
	for _, n := range r.byName[name] {
		if pkg != "" && n.Package != pkg {
			continue
		}
		if version != "" {
			if n.Version != version {
				continue
			}
		} else if n.Version != "" && n.LatestVersion != "" && n.Version != n.LatestVersion {
			continue
		}
		rank := 2
		switch n.Package {
		case from:
			rank = 0
		case r.root:
			rank = 1
		}
		if rank < bestRank || rank == bestRank && n.UniqueID < best {
			best, bestRank = n.UniqueID, rank
		}
	}
	return best
}

func (r *resolver) source(src, table string) string { return r.sources[src+"\x00"+table] }

// buildMaps fills ParentMap and ChildMap from depends_on, as the loader does.
func buildMaps(p *dbt.Project) {
	p.ParentMap = make(map[string][]string, len(p.Nodes)+len(p.Sources))
	p.ChildMap = make(map[string][]string, len(p.Nodes)+len(p.Sources))
	known := func(id string) bool {
		if _, ok := p.Nodes[id]; ok {
			return true
		}
		if _, ok := p.Sources[id]; ok {
			return true
		}
		_, ok := p.Exposures[id]
		return ok
	}
	link := func(child string, parents []string) {
		for _, par := range parents {
			if !known(par) {
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
			m[k] = uniq(v)
		}
	}
}
