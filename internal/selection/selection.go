// Package selection implements dbt's node selection syntax (--select / --exclude): methods
// (name, fqn, path, file, package, tag, config.*, resource_type, source, exposure, test_type,
// test_name, state), graph operators (+, n+, +n, @), unions (space) and intersections (comma),
// and dbt's eager indirect selection of tests. It only reads the project graph; which nodes
// are modified comes from the caller (change detection) through Options.
package selection

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Options feed state the project alone does not know.
type Options struct {
	// Modified and New are the unique ids change detection found modified or new; they answer
	// state:modified (and its sub-kinds) and state:new. Left nil, those selectors are an error.
	Modified map[string]bool
	New      map[string]bool
	// Indirect is dbt's --indirect-selection: "eager" (default: a test goes with any selected
	// parent), "cautious" (only when all its parents are selected), "buildable" or "empty".
	Indirect string
}

// Error is a malformed or unknown selector.
type Error struct {
	Selector string
	Msg      string
}

func (e *Error) Error() string { return fmt.Sprintf("selector %q: %s", e.Selector, e.Msg) }

// Select returns the unique ids chosen by the --select specs (everything when none) minus the
// --exclude specs. Each spec may hold several space-separated selectors (a union); a
// comma-separated selector is an intersection. Sources and exposures can be selected and are
// part of the returned set; callers keep the resource types they run.
func Select(p *dbt.Project, selects, excludes []string, opts Options) (map[string]bool, error) {
	g := newGraph(p)
	var inc map[string]bool
	if len(nonEmpty(selects)) == 0 {
		inc = map[string]bool{}
		for id := range g.nodes {
			inc[id] = true
		}
	} else {
		var err error
		if inc, err = g.union(selects, opts); err != nil {
			return nil, err
		}
		g.addTests(inc, opts.Indirect)
	}
	exc, err := g.union(excludes, opts)
	if err != nil {
		return nil, err
	}
	// dbt excludes the tests of excluded nodes the same way it selects them.
	g.addTests(exc, opts.Indirect)
	for id := range exc {
		delete(inc, id)
	}
	return inc, nil
}

func nonEmpty(specs []string) []string {
	var out []string
	for _, s := range specs {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

type item struct {
	id           string
	resourceType string
	name         string
	pkg          string
	fqn          []string
	path         string // relative to the root project
	tags         []string
	config       map[string]any
	node         *dbt.Node
	source       *dbt.Source
}

type graph struct {
	p        *dbt.Project
	nodes    map[string]*item
	parents  map[string][]string
	children map[string][]string
}

func newGraph(p *dbt.Project) *graph {
	g := &graph{p: p, nodes: map[string]*item{}, parents: map[string][]string{}, children: map[string][]string{}}
	for id, n := range p.Nodes {
		if n.Disabled {
			continue
		}
		rel := n.RelPath
		if rel == "" {
			rel = n.OriginalFilePath
		}
		g.nodes[id] = &item{id: id, resourceType: n.ResourceType, name: n.Name, pkg: n.Package, fqn: n.FQN,
			path: rel, tags: mergeTags(n.Tags, n.Config), config: n.Config, node: n}
	}
	for id, s := range p.Sources {
		g.nodes[id] = &item{id: id, resourceType: dbt.SourceRT, name: s.Name, pkg: s.Package, fqn: s.FQN,
			path: s.OriginalFilePath, tags: mergeTags(s.Tags, s.Config), config: s.Config, source: s}
	}
	for id, e := range p.Exposures {
		g.nodes[id] = &item{id: id, resourceType: dbt.Exposure, name: e.Name, pkg: e.Package, fqn: e.FQN,
			path: e.OriginalFilePath, tags: mergeTags(e.Tags, e.Config), config: e.Config}
		g.link(id, e.DependsOn.Nodes)
	}
	for id, n := range p.Nodes {
		if g.nodes[id] != nil {
			g.link(id, n.DependsOn.Nodes)
		}
	}
	for id, ps := range p.ParentMap {
		if g.nodes[id] != nil {
			g.link(id, ps)
		}
	}
	for id := range g.parents {
		sort.Strings(g.parents[id])
	}
	for id := range g.children {
		sort.Strings(g.children[id])
	}
	return g
}

func (g *graph) link(child string, parents []string) {
	for _, par := range parents {
		if g.nodes[par] == nil || slices.Contains(g.parents[child], par) {
			continue
		}
		g.parents[child] = append(g.parents[child], par)
		g.children[par] = append(g.children[par], child)
	}
}

func mergeTags(tags []string, cfg map[string]any) []string {
	out := append([]string(nil), tags...)
	switch t := cfg["tags"].(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, v := range t {
			out = append(out, fmt.Sprint(v))
		}
	case []string:
		out = append(out, t...)
	}
	return out
}

func (g *graph) union(specs []string, opts Options) (map[string]bool, error) {
	out := map[string]bool{}
	for _, sel := range nonEmpty(specs) {
		var acc map[string]bool
		for _, part := range strings.Split(sel, ",") {
			if part == "" {
				return nil, &Error{Selector: sel, Msg: "empty part in an intersection"}
			}
			set, err := g.atom(part, opts)
			if err != nil {
				return nil, err
			}
			if acc == nil {
				acc = set
				continue
			}
			for id := range acc {
				if !set[id] {
					delete(acc, id)
				}
			}
		}
		for id := range acc {
			out[id] = true
		}
	}
	return out, nil
}

// atom evaluates one selector with its graph operators.
func (g *graph) atom(sel string, opts Options) (map[string]bool, error) {
	s := sel
	at := strings.HasPrefix(s, "@")
	if at {
		s = s[1:]
	}
	up, down := 0, 0 // -1: unbounded
	if i := strings.Index(s, "+"); i >= 0 && isDepth(s[:i]) && (i == 0 || !strings.Contains(s[:i], ":")) {
		up = -1
		if i > 0 {
			up, _ = strconv.Atoi(s[:i])
		}
		s = s[i+1:]
	}
	if i := strings.LastIndex(s, "+"); i >= 0 && isDepth(s[i+1:]) {
		down = -1
		if i+1 < len(s) {
			down, _ = strconv.Atoi(s[i+1:])
		}
		s = s[:i]
	}
	if at && (up != 0 || down != 0) {
		return nil, &Error{Selector: sel, Msg: "@ cannot be combined with +"}
	}
	if s == "" {
		return nil, &Error{Selector: sel, Msg: "nothing to select"}
	}
	base, err := g.method(s, opts)
	if err != nil {
		return nil, &Error{Selector: sel, Msg: err.Error()}
	}
	out := map[string]bool{}
	for id := range base {
		out[id] = true
	}
	if at {
		desc := g.walk(base, g.children, -1)
		for id := range desc {
			out[id] = true
		}
		for id := range g.walk(desc, g.parents, -1) {
			out[id] = true
		}
		return out, nil
	}
	if up != 0 {
		for id := range g.walk(base, g.parents, up) {
			out[id] = true
		}
	}
	if down != 0 {
		for id := range g.walk(base, g.children, down) {
			out[id] = true
		}
	}
	return out, nil
}

func isDepth(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// walk returns the nodes reachable from start through edges within depth steps (-1: any).
func (g *graph) walk(start map[string]bool, edges map[string][]string, depth int) map[string]bool {
	seen := map[string]bool{}
	frontier := make([]string, 0, len(start))
	for id := range start {
		frontier = append(frontier, id)
	}
	for d := 0; len(frontier) > 0 && (depth < 0 || d < depth); d++ {
		var next []string
		for _, id := range frontier {
			for _, n := range edges[id] {
				if !seen[n] && !start[n] {
					seen[n] = true
					next = append(next, n)
				}
			}
		}
		frontier = next
	}
	return seen
}

// addTests adds the tests dbt selects indirectly with the nodes they test.
func (g *graph) addTests(set map[string]bool, mode string) {
	if mode == "empty" {
		return
	}
	for id, it := range g.nodes {
		if it.resourceType != dbt.Test || set[id] {
			continue
		}
		ps := g.parents[id]
		if len(ps) == 0 {
			continue
		}
		any, all := false, true
		for _, par := range ps {
			if set[par] {
				any = true
			} else {
				all = false
			}
		}
		if (mode == "cautious" || mode == "buildable") && all || mode != "cautious" && mode != "buildable" && any {
			set[id] = true
		}
	}
}

func (g *graph) method(s string, opts Options) (map[string]bool, error) {
	method, value := "", s
	if i := strings.Index(s, ":"); i >= 0 {
		method, value = s[:i], s[i+1:]
	}
	if value == "" {
		return nil, fmt.Errorf("method %s: needs a value", method)
	}
	var match func(it *item) bool
	switch {
	case method == "":
		if strings.ContainsAny(value, `/\`) || hasExt(value) {
			match = func(it *item) bool { return pathMatch(it.path, value) }
		} else {
			match = func(it *item) bool { return fqnMatch(it, value) }
		}
	case method == "fqn":
		match = func(it *item) bool { return fqnMatch(it, value) }
	case method == "path":
		match = func(it *item) bool { return pathMatch(it.path, value) }
	case method == "file":
		match = func(it *item) bool {
			base := filepath.Base(it.path)
			return glob(value, base) || glob(value, strings.TrimSuffix(base, filepath.Ext(base)))
		}
	case method == "package":
		match = func(it *item) bool { return glob(value, it.pkg) }
	case method == "tag":
		match = func(it *item) bool {
			for _, t := range it.tags {
				if glob(value, t) {
					return true
				}
			}
			return false
		}
	case method == "resource_type":
		match = func(it *item) bool { return it.resourceType == value }
	case method == "source":
		parts := strings.Split(value, ".")
		match = func(it *item) bool {
			if it.source == nil {
				return false
			}
			full := []string{it.source.Package, it.source.SourceName, it.source.Name}
			switch len(parts) {
			case 1:
				return glob(parts[0], full[1])
			case 2:
				return glob(parts[0], full[1]) && glob(parts[1], full[2]) || glob(parts[0], full[0]) && glob(parts[1], full[1])
			case 3:
				return glob(parts[0], full[0]) && glob(parts[1], full[1]) && glob(parts[2], full[2])
			}
			return false
		}
	case method == "exposure":
		match = func(it *item) bool { return it.resourceType == dbt.Exposure && glob(value, it.name) }
	case method == "test_type":
		match = func(it *item) bool {
			if it.node == nil || it.resourceType != dbt.Test {
				return false
			}
			generic := it.node.TestMeta != nil
			switch value {
			case "generic", "schema":
				return generic
			case "singular", "data":
				return !generic
			}
			return false
		}
	case method == "test_name":
		match = func(it *item) bool {
			if it.node == nil || it.node.TestMeta == nil {
				return false
			}
			tm := it.node.TestMeta
			return glob(value, tm.Name) || tm.Namespace != "" && glob(value, tm.Namespace+"."+tm.Name)
		}
	case strings.HasPrefix(method, "config."):
		key := strings.TrimPrefix(method, "config.")
		match = func(it *item) bool { return configMatch(it.config, key, value) }
	case method == "state":
		var ids map[string]bool
		switch {
		case value == "modified" || strings.HasPrefix(value, "modified."):
			ids = opts.Modified
		case value == "new":
			ids = opts.New
		default:
			return nil, fmt.Errorf("state:%s is not supported (state:modified and state:new are)", value)
		}
		if ids == nil {
			return nil, fmt.Errorf("state:%s needs a base to compare with, and this command has none", value)
		}
		match = func(it *item) bool { return ids[it.id] }
	default:
		return nil, fmt.Errorf("unknown selector method %q", method)
	}
	out := map[string]bool{}
	for id, it := range g.nodes {
		if match(it) {
			out[id] = true
		}
	}
	return out, nil
}

func hasExt(v string) bool {
	switch strings.ToLower(filepath.Ext(v)) {
	case ".sql", ".py", ".csv", ".yml", ".yaml":
		return true
	}
	return false
}

func glob(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return pattern == s
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// fqnMatch: a selector matches a node's name, or a prefix of its fqn with or without the
// package (so a package name or a top folder selects everything beneath), or a versioned name.
func fqnMatch(it *item, value string) bool {
	if value == "*" {
		return true
	}
	parts := strings.Split(value, ".")
	if len(parts) == 1 && glob(value, it.name) {
		return true
	}
	if it.node != nil && it.node.Version != "" && len(parts) == 2 && glob(parts[0], it.name) &&
		(parts[1] == "v"+it.node.Version || parts[1] == it.node.Version) {
		return true
	}
	prefix := func(fqn []string) bool {
		if len(parts) > len(fqn) {
			return false
		}
		for i, p := range parts {
			if !glob(p, fqn[i]) {
				return false
			}
		}
		return true
	}
	return prefix(it.fqn) || len(it.fqn) > 1 && prefix(it.fqn[1:])
}

// pathMatch: a file path matches exactly; a directory matches everything beneath it.
func pathMatch(nodePath, value string) bool {
	if nodePath == "" {
		return false
	}
	np := filepath.ToSlash(filepath.Clean(nodePath))
	v := strings.TrimSuffix(filepath.ToSlash(filepath.Clean(value)), "/")
	if v == "." {
		return true
	}
	if glob(v, np) || strings.HasPrefix(np, v+"/") {
		return true
	}
	if strings.ContainsAny(v, "*?[") {
		// A glob on a directory selects what is inside the matched directories.
		for dir := path.Dir(np); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if glob(v, dir) {
				return true
			}
		}
	}
	return false
}

func configMatch(cfg map[string]any, key, value string) bool {
	var v any = cfg
	for _, k := range strings.Split(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = m[k]
	}
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range x {
			if glob(value, fmt.Sprint(e)) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range x {
			if glob(value, e) {
				return true
			}
		}
		return false
	case bool:
		return strings.EqualFold(value, strconv.FormatBool(x))
	}
	return glob(value, fmt.Sprint(v))
}
