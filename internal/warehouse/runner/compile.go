package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/warehouse"
)

// compiler renders nodes against the warehouse being run: refs resolve to the relations this
// run builds, ephemeral models become CTEs, is_incremental() answers for this run.
type compiler struct {
	p      *dbt.Project
	target *warehouse.Target
	byName map[string][]*dbt.Node // lower-cased name -> models, seeds, snapshots
}

func newCompiler(p *dbt.Project, t *warehouse.Target) *compiler {
	c := &compiler{p: p, target: t, byName: map[string][]*dbt.Node{}}
	for _, n := range p.Nodes {
		switch n.ResourceType {
		case dbt.Model, dbt.Seed, dbt.Snapshot:
			k := strings.ToLower(n.Name)
			c.byName[k] = append(c.byName[k], n)
		}
	}
	for k := range c.byName {
		sort.Slice(c.byName[k], func(i, j int) bool { return c.byName[k][i].UniqueID < c.byName[k][j].UniqueID })
	}
	return c
}

func configString(cfg map[string]any, key string) string {
	if v, ok := cfg[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func materialized(n *dbt.Node) string {
	if n.ResourceType == dbt.Seed {
		return "seed"
	}
	m := strings.ToLower(configString(n.Config, "materialized"))
	if m == "" {
		return warehouse.View
	}
	return m
}

// relation is where a node lives in this run's warehouse: the schema the loader computed
// (dbt's generate_schema_name over the target) and the alias; the database part is left out so
// the SQL runs in the connected catalog.
func (c *compiler) relation(n *dbt.Node) warehouse.Relation {
	schema := n.Schema
	if schema == "" {
		schema = c.target.Schema
		if custom := configString(n.Config, "schema"); custom != "" {
			schema += "_" + custom
		}
	}
	name := n.Alias
	if name == "" {
		name = configString(n.Config, "alias")
	}
	if name == "" {
		name = n.Name
	}
	return warehouse.Relation{Schema: schema, Name: name}
}

func (c *compiler) sourceRelation(s *dbt.Source) warehouse.Relation {
	schema := s.Schema
	if schema == "" {
		schema = s.SourceName
	}
	name := s.Identifier
	if name == "" {
		name = s.Name
	}
	return warehouse.Relation{Schema: schema, Name: name}
}

func jrel(r warehouse.Relation) jinja.Relation {
	return jinja.Relation{Database: r.Database, Schema: r.Schema, Identifier: r.Name}
}

// lookup resolves ref(pkg, name, version) as dbt does: the named package, else the caller's
// package, else the root project, else any package.
func (c *compiler) lookup(from, pkg, name, version string) *dbt.Node {
	cands := c.byName[strings.ToLower(name)]
	pick := func(ok func(*dbt.Node) bool) *dbt.Node {
		var best *dbt.Node
		for _, n := range cands {
			if !ok(n) {
				continue
			}
			if version != "" {
				if n.Version == version || "v"+n.Version == version {
					return n
				}
				continue
			}
			// Unversioned refs take the latest version.
			if n.Version == "" || n.LatestVersion == "" || n.Version == n.LatestVersion {
				return n
			}
			if best == nil {
				best = n
			}
		}
		return best
	}
	if pkg != "" {
		return pick(func(n *dbt.Node) bool { return n.Package == pkg })
	}
	for _, p := range []string{from, c.p.Name} {
		if n := pick(func(n *dbt.Node) bool { return n.Package == p }); n != nil {
			return n
		}
	}
	return pick(func(*dbt.Node) bool { return true })
}

func (c *compiler) source(sourceName, table string) *dbt.Source {
	var found *dbt.Source
	for _, s := range c.p.Sources {
		if s.SourceName == sourceName && s.Name == table {
			if found == nil || s.UniqueID < found.UniqueID {
				found = s
			}
		}
	}
	return found
}

// resolver answers one render's refs and records the ephemeral models it inlines.
type resolver struct {
	c          *compiler
	from       string
	ephemerals []*dbt.Node
	missing    []string
}

func (r *resolver) Ref(pkg, name, version string) (jinja.Relation, bool) {
	n := r.c.lookup(r.from, pkg, name, version)
	if n == nil {
		r.missing = append(r.missing, "ref('"+name+"')")
		return jinja.Relation{}, false
	}
	if materialized(n) == warehouse.Ephemeral {
		r.ephemerals = append(r.ephemerals, n)
		return jinja.Relation{Identifier: cteName(n)}, true
	}
	return jrel(r.c.relation(n)), true
}

func (r *resolver) Source(source, table string) (jinja.Relation, bool) {
	s := r.c.source(source, table)
	if s == nil {
		r.missing = append(r.missing, "source('"+source+"', '"+table+"')")
		return jinja.Relation{}, false
	}
	return jrel(r.c.sourceRelation(s)), true
}

func cteName(n *dbt.Node) string { return "__dbt__cte__" + n.Name }

// compile renders a node's SQL with is_incremental() as given and its ephemeral upstream
// models inlined as CTEs.
func (c *compiler) compile(n *dbt.Node, incremental bool) (string, error) {
	sql, eph, err := c.render(n, n.RawCode, incremental)
	if err != nil {
		return "", err
	}
	return c.inline(sql, eph, map[string]bool{n.UniqueID: true})
}

// render renders a template in a node's context. Without a Jinja environment (a project built
// by hand) the node's compiled code is used as is.
func (c *compiler) render(n *dbt.Node, src string, incremental bool) (string, []*dbt.Node, error) {
	if c.p.Jinja == nil {
		if n.CompiledCode != "" && src == n.RawCode {
			return n.CompiledCode, c.ephemeralDeps(n), nil
		}
		return src, c.ephemeralDeps(n), nil
	}
	res := &resolver{c: c, from: n.Package}
	cfg := make(map[string]any, len(n.Config))
	for k, v := range n.Config {
		cfg[k] = v
	}
	path := n.RelPath
	if path == "" {
		path = n.OriginalFilePath
	}
	out := c.p.Jinja.Render(jinja.Input{
		Path: path, Source: src, Package: n.Package, Name: n.Name, ResourceType: n.ResourceType,
		This: jrel(c.relation(n)), Config: cfg, Incremental: incremental, Resolver: res, Execute: true,
	})
	if out.Err != nil {
		return "", nil, fmt.Errorf("rendering: %v", out.Err)
	}
	if len(res.missing) > 0 {
		return "", nil, fmt.Errorf("%s not found in the project", strings.Join(res.missing, ", "))
	}
	if strings.TrimSpace(out.Output) == "" && strings.TrimSpace(src) != "" {
		// An unknown macro renders as nothing: name it rather than send empty SQL.
		for _, w := range out.Warnings {
			if w.Kind == "unknown-macro" {
				return "", nil, fmt.Errorf("rendered to empty SQL: %s:%d:%d: %s", w.Path, w.Pos.Line, w.Pos.Column, w.Message)
			}
		}
		return "", nil, fmt.Errorf("rendered to empty SQL")
	}
	return out.Output, res.ephemerals, nil
}

// ephemeralDeps lists a hand-built node's ephemeral parents (no render to record them).
func (c *compiler) ephemeralDeps(n *dbt.Node) []*dbt.Node {
	var out []*dbt.Node
	for _, id := range n.DependsOn.Nodes {
		if p := c.p.Nodes[id]; p != nil && materialized(p) == warehouse.Ephemeral {
			out = append(out, p)
		}
	}
	return out
}

// inline prepends the CTEs of the ephemeral models a query uses (and those they use, first).
func (c *compiler) inline(sql string, eph []*dbt.Node, seen map[string]bool) (string, error) {
	if len(eph) == 0 {
		return sql, nil
	}
	var ctes []string
	var add func(list []*dbt.Node) error
	add = func(list []*dbt.Node) error {
		for _, e := range list {
			if seen[e.UniqueID] {
				continue
			}
			seen[e.UniqueID] = true
			body, deps, err := c.render(e, e.RawCode, false)
			if err != nil {
				return fmt.Errorf("ephemeral model %s: %w", e.Name, err)
			}
			if err := add(deps); err != nil {
				return err
			}
			ctes = append(ctes, cteName(e)+" as (\n"+trimSQL(body)+"\n)")
		}
		return nil
	}
	if err := add(eph); err != nil {
		return "", err
	}
	if len(ctes) == 0 {
		return sql, nil
	}
	return injectCTEs(sql, ctes), nil
}

var leadingWith = lazyregexp.New(`(?is)^((?:\s+|--[^\n]*\n|/\*.*?\*/)*)with\s`)
var withRecursive = lazyregexp.New(`(?is)^((?:\s+|--[^\n]*\n|/\*.*?\*/)*)with\s+recursive\s`)

// injectCTEs adds CTEs to a query: into its own WITH when it starts with one, else as a new
// WITH in front, as dbt does.
func injectCTEs(sql string, ctes []string) string {
	list := strings.Join(ctes, ",\n")
	if withRecursive.MatchString(sql) {
		return "with " + list + "\nselect * from (\n" + trimSQL(sql) + "\n) as __dbt__inner"
	}
	if m := leadingWith.FindStringSubmatchIndex(sql); m != nil {
		return sql[:m[1]] + list + ",\n" + sql[m[1]:]
	}
	return "with " + list + "\n" + sql
}

func trimSQL(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasSuffix(s, ";") {
		s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	}
	return s
}
