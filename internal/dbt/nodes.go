package dbt

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/source"
)

// pending is a node waiting for its render: the template and where it sits in its file.
type pending struct {
	node   *Node
	file   *srcFile
	source string
	shift  source.Shift // where the template starts in its file (snapshot blocks)
	python bool
	ph     *phResolver // set when the parse render also compiles
}

// defaultConfig is the config dbt gives every node of a resource type before any is set.
func defaultConfig(rt string) map[string]any {
	if rt == Test {
		// Before the others' defaults are made: a project has more tests than models.
		return map[string]any{
			"enabled": true, "alias": nil, "schema": "dbt_test__audit", "database": nil, "tags": []string{},
			"meta": map[string]any{}, "group": nil, "materialized": "test", "severity": "ERROR",
			"store_failures": nil, "store_failures_as": nil, "where": nil, "limit": nil,
			"fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0",
		}
	}
	c := map[string]any{
		"enabled": true, "alias": nil, "schema": nil, "database": nil, "tags": []string{}, "meta": map[string]any{},
		"group": nil, "persist_docs": map[string]any{}, "quoting": map[string]any{}, "column_types": map[string]any{},
		"full_refresh": nil, "unique_key": nil, "on_schema_change": "ignore", "on_configuration_change": "apply",
		"grants": map[string]any{}, "packages": []any{}, "docs": map[string]any{"show": true, "node_color": nil},
		"contract": map[string]any{"enforced": false, "alias_types": true}, "pre-hook": []any{}, "post-hook": []any{},
	}
	switch rt {
	case Model:
		c["materialized"] = "view"
		c["incremental_strategy"] = nil
		c["access"] = "protected"
	case Seed:
		c["materialized"] = "seed"
		c["delimiter"] = ","
		c["quote_columns"] = nil
	case Snapshot:
		c["materialized"] = "snapshot"
		c["strategy"] = nil
		c["target_schema"] = nil
		c["target_database"] = nil
		c["updated_at"] = nil
		c["check_cols"] = nil
	case Analysis:
		c["materialized"] = "view"
	}
	return c
}

// treeKey is the dbt_project.yml section configuring a resource type.
func treeKey(rt string) string {
	switch rt {
	case Model:
		return "models"
	case Seed:
		return "seeds"
	case Snapshot:
		return "snapshots"
	case Test:
		return "tests"
	case Analysis:
		return "analyses"
	case SourceRT:
		return "sources"
	case Exposure:
		return "exposures"
	}
	return rt + "s"
}

// projectConfig is the config the project trees give a node: the owning package's own
// dbt_project.yml, then the root project's, which wins.
func (l *loader) projectConfig(ps *pkgState, rt string, fqn []string) map[string]any {
	cfg := defaultConfig(rt)
	key := treeKey(rt)
	if !ps.pkg.IsRoot {
		if t := ps.pf.Trees[key]; t != nil {
			treeConfig(cfg, t, fqn)
		}
	}
	if t := l.root.pf.Trees[key]; t != nil {
		treeConfig(cfg, t, fqn)
	}
	return cfg
}

// fqnFor builds dbt's fully qualified name: package, folders under the resource path, name.
func fqnFor(pkg, pathRel, name string, withFile bool) []string {
	fqn := []string{pkg}
	dir := path.Dir(pathRel)
	if dir != "." && dir != "" {
		fqn = append(fqn, strings.Split(dir, "/")...)
	}
	if withFile {
		base := path.Base(pathRel)
		fqn = append(fqn, strings.TrimSuffix(base, path.Ext(base)))
	}
	return append(fqn, name)
}

func stem(p string) string {
	b := path.Base(p)
	return strings.TrimSuffix(b, path.Ext(b))
}

var snapshotBlockRE = lazyregexp.New(`(?s)\{%-?\s*snapshot\s+([A-Za-z_]\w*)\s*-?%\}(.*?)\{%-?\s*endsnapshot\s*-?%\}`)

// buildNodes creates the models, seeds, snapshots, analyses and singular tests of every
// package, with their project and property configs merged (in-file config() comes with the
// render).
func (l *loader) buildNodes() error {
	l.pending = nil
	for _, ps := range l.pkgs {
		pkg := ps.pkg.Name
		versionFiles := l.versionFiles(ps)
		for _, f := range ps.files {
			if f.data == nil && f.kind != fileSeed {
				continue
			}
			switch f.kind {
			case fileModel:
				name := stem(f.rel)
				var pt *patch
				var vp *versionPatch
				if v, ok := versionFiles[name]; ok {
					pt, vp = v.patch, v.version
					name = pt.Name
				} else {
					pt = l.patches[pkg]["models:"+name]
				}
				n := l.newNode(ps, f, Model, name)
				if strings.HasSuffix(strings.ToLower(f.rel), ".py") {
					n.Language = "python"
				}
				if vp != nil {
					n.Version = vp.V
					n.LatestVersion = latestVersion(pt)
					n.UniqueID += ".v" + vp.V
					n.FQN = append(n.FQN, "v"+vp.V)
				}
				n.Config = l.projectConfig(ps, Model, n.FQN)
				l.applyPatch(n, pt, vp)
				l.pending = append(l.pending, &pending{node: n, file: f, source: n.RawCode, python: n.Language == "python"})
			case fileAnalysis:
				n := l.newNode(ps, f, Analysis, stem(f.rel))
				n.Config = l.projectConfig(ps, Analysis, n.FQN)
				l.applyPatch(n, l.patches[pkg]["analyses:"+n.Name], nil)
				l.pending = append(l.pending, &pending{node: n, file: f, source: n.RawCode})
			case fileTest:
				n := l.newNode(ps, f, Test, stem(f.rel))
				n.Config = l.projectConfig(ps, Test, n.FQN)
				l.pending = append(l.pending, &pending{node: n, file: f, source: n.RawCode})
			case fileSeed:
				n := l.newNode(ps, f, Seed, stem(f.rel))
				n.RawCode = ""
				n.SeedColumns = parseCSVHeader(f.data)
				n.Config = l.projectConfig(ps, Seed, n.FQN)
				l.applyPatch(n, l.patches[pkg]["seeds:"+n.Name], nil)
				l.pending = append(l.pending, &pending{node: n, file: f})
			case fileSnapshot:
				src := f.data
				blocks := snapshotBlockRE.FindAllSubmatchIndex(src, -1)
				text := string(src)
				for _, b := range blocks {
					name := string(src[b[2]:b[3]])
					body := string(src[b[4]:b[5]])
					n := l.newNode(ps, f, Snapshot, name)
					n.FQN = fqnFor(pkg, f.pathRel, name, true)
					n.RawCode = body
					n.Config = l.projectConfig(ps, Snapshot, n.FQN)
					l.applyPatch(n, l.patches[pkg]["snapshots:"+name], nil)
					l.pending = append(l.pending, &pending{node: n, file: f, source: body, shift: source.ShiftAt(text, b[4])})
				}
			}
		}
		// Snapshots defined in YAML only (dbt 1.9+: `relation:` plus config).
		for _, pt := range l.patches[pkg] {
			if pt.Key != "snapshots" || pt.Relation == "" || l.hasPending(Snapshot, pkg, pt.Name) {
				continue
			}
			f := pt.File
			n := l.newNode(ps, f, Snapshot, pt.Name)
			n.RawCode = "select * from " + strings.TrimSpace(pt.Relation)
			if !strings.Contains(n.RawCode, "{{") {
				n.RawCode = "select * from {{ " + strings.TrimSpace(pt.Relation) + " }}"
			}
			n.Config = l.projectConfig(ps, Snapshot, n.FQN)
			l.applyPatch(n, pt, nil)
			l.pending = append(l.pending, &pending{node: n, file: f, source: n.RawCode})
		}
	}
	l.checkDupPatches()
	// Properties naming a node that does not exist.
	for pkg, m := range l.patches {
		for _, pt := range m {
			if pt.Key == "macros" {
				if l.p.Macros["macro."+pkg+"."+pt.Name] == nil {
					l.warn(pt.Pos, KindUnknownPatch, "properties for macro %q, which is not defined", pt.Name)
				}
				continue
			}
			if !pt.used {
				l.warn(pt.Pos, KindUnknownPatch, "properties for %s %q, which has no file%s", strings.TrimSuffix(pt.Key, "s"), pt.Name, l.meantHint(pkg, pt))
			}
		}
	}
	return nil
}

// meantHint is " (did you mean x?)" when the entry's name looks like a node's of its kind and
// package written as its file's name, in another case or with a typo: dbt's own warning
// leaves the engineer to find out why the docs vanished.
func (l *loader) meantHint(pkg string, pt *patch) string {
	rt := map[string]string{"models": Model, "seeds": Seed, "snapshots": Snapshot, "analyses": Analysis}[pt.Key]
	if rt == "" {
		return ""
	}
	var names []string
	for _, pd := range l.pending {
		if pd.node.ResourceType == rt && pd.node.Package == pkg {
			names = append(names, pd.node.Name)
		}
	}
	sort.Strings(names) // a stable answer whatever the order nodes were built in
	if m := MeantName(pt.Name, names); m != "" {
		return " (did you mean " + m + "?)"
	}
	return ""
}

// dupPatch is a property entry for a name the same package already has properties for.
type dupPatch struct {
	pkg      string
	pt, prev *patch
}

// checkDupPatches reports properties written twice for a node that exists, which dbt refuses
// to parse (DuplicatePatchPathError), as an error at the second entry: the first is kept, so
// a review can say where the pull request wrote the entry twice, and parse still exits 2. For
// a name with no node dbt only warns that the entry matches nothing, and a project carrying
// such a leftover (two copies of an entry whose model was renamed) still builds, so the second
// entry is reported the same way.
func (l *loader) checkDupPatches() {
	for _, d := range l.dupPatches {
		exists := d.prev.used
		if d.pt.Key == "macros" {
			exists = l.p.Macros["macro."+d.pkg+"."+d.pt.Name] != nil
		}
		if exists {
			// Steps name both entries: a review points at the one its change wrote.
			l.addDiag(Diagnostic{Pos: d.pt.Pos, Severity: "error", Kind: "duplicate-patch", Steps: []Pos{d.pt.Pos, d.prev.Pos},
				Message: fmt.Sprintf("%s %q has properties in two places: here and %s:%d (dbt refuses to parse it; the first is used)", strings.TrimSuffix(d.pt.Key, "s"), d.pt.Name, d.prev.Pos.Path, d.prev.Pos.Line)})
			continue
		}
		l.warn(d.pt.Pos, KindUnknownPatch, "properties for %s %q, which has no file (also at %s:%d)", strings.TrimSuffix(d.pt.Key, "s"), d.pt.Name, d.prev.Pos.Path, d.prev.Pos.Line)
	}
}

func (l *loader) hasPending(rt, pkg, name string) bool {
	for _, pd := range l.pending {
		if pd.node.ResourceType == rt && pd.node.Package == pkg && pd.node.Name == name {
			return true
		}
	}
	return false
}

type versionRef struct {
	patch   *patch
	version *versionPatch
}

// versionFiles maps a model file stem to the versioned model it defines: `defined_in`, else
// `<name>_v<v>`, else (for one version only) the unversioned `<name>` file.
func (l *loader) versionFiles(ps *pkgState) map[string]versionRef {
	out := map[string]versionRef{}
	stems := map[string]bool{}
	for _, f := range ps.files {
		if f.kind == fileModel {
			stems[stem(f.rel)] = true
		}
	}
	for _, pt := range l.patches[ps.pkg.Name] {
		if pt.Key != "models" || len(pt.Versions) == 0 {
			continue
		}
		claimedBare := false
		latest := latestVersion(pt)
		for _, vp := range pt.Versions {
			file := vp.Defined
			if file == "" {
				file = pt.Name + "_v" + vp.V
				if !stems[file] && stems[pt.Name] && !claimedBare && vp.V == latest {
					file = pt.Name
					claimedBare = true
				}
			}
			out[file] = versionRef{patch: pt, version: vp}
		}
	}
	return out
}

// latestVersion is `latest_version`, else the greatest version (numeric when they are numbers).
func latestVersion(pt *patch) string {
	if pt == nil {
		return ""
	}
	if pt.Latest != "" {
		return pt.Latest
	}
	best := ""
	for _, vp := range pt.Versions {
		if best == "" || versionLess(best, vp.V) {
			best = vp.V
		}
	}
	return best
}

func versionLess(a, b string) bool {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		return fa < fb
	}
	return a < b
}

func (l *loader) newNode(ps *pkgState, f *srcFile, rt, name string) *Node {
	pkg := ps.pkg.Name
	n := &Node{
		UniqueID: rt + "." + pkg + "." + name, ResourceType: rt, Package: pkg, Name: name,
		Path: f.pathRel, OriginalFilePath: f.rel, FilePath: f.abs, FQN: fqnFor(pkg, f.pathRel, name, false),
		Language: "sql", Meta: map[string]any{}, Tags: []string{},
	}
	if f.kind != fileYAML && f.kind != fileSeed {
		n.RawCode = string(f.data)
	}
	n.RelPath = f.rootRel
	return n
}

// applyPatch merges a node's properties (description, columns, config) into it.
func (l *loader) applyPatch(n *Node, pt *patch, vp *versionPatch) {
	if pt == nil {
		return
	}
	pt.used = true
	n.Patch = &PropertyEntry{File: pt.File.rootRel, Pos: pt.Pos, Key: pt.Key}
	n.PatchPath = pt.File.pkg.pkg.Name + "://" + pt.File.rel
	n.Description = l.resolveDocs(n.Package, pt.Description)
	l.checkDocs(pt.Pos, n.Package, pt.Description)
	mergeConfig(n.Config, l.renderConfig(n.Package, pt.Pos, pt.Config))
	cols := pt.Columns
	if vp != nil {
		cols = vp.Columns
		if vp.Desc != "" {
			n.Description = l.resolveDocs(n.Package, vp.Desc)
		}
		mergeConfig(n.Config, l.renderConfig(n.Package, pt.Pos, vp.Config))
	}
	for _, c := range cols {
		cc := *c
		cc.Description = l.resolveDocs(n.Package, c.Description)
		if cc.Description != c.Description {
			cc.DocDescription = c.Description
		}
		l.checkDocs(c.Pos, n.Package, c.Description)
		n.Columns = append(n.Columns, &cc)
	}
}

// renderConfig renders Jinja in property-file config values in the package's context; at is
// the entry they belong to (a model, a source table, a test), where problems are reported.
func (l *loader) renderConfig(pkg string, at Pos, cfg map[string]any) map[string]any {
	if len(cfg) == 0 {
		return cfg
	}
	out := make(map[string]any, len(cfg))
	for k, v := range cfg {
		if k == "pre-hook" || k == "post-hook" || k == "pre_hook" || k == "post_hook" {
			out[k] = v
			continue
		}
		out[k] = l.renderValue(pkg, at, v)
	}
	return out
}

func (l *loader) renderValue(pkg string, at Pos, v any) any {
	switch x := v.(type) {
	case string:
		if hasJinja(x) {
			return l.renderYAMLWith(l.env, pkg, at, x)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, vv := range x {
			out[k] = l.renderValue(pkg, at, vv)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			out[i] = l.renderValue(pkg, at, vv)
		}
		return out
	}
	return v
}

// sortedNodes returns nodes ordered by unique id.
func sortedNodes(m map[string]*Node) []*Node {
	out := make([]*Node, 0, len(m))
	for _, n := range m {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}
