package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lineage"
)

// ProjectSummary is what get_project_summary answers.
type ProjectSummary struct {
	Name              string         `json:"name"`
	Root              string         `json:"root" jsonschema:"the project directory"`
	Adapter           string         `json:"adapter" jsonschema:"the profile's adapter type (the SQL dialect)"`
	RequireDbtVersion []string       `json:"require_dbt_version,omitempty"`
	Packages          []string       `json:"packages" jsonschema:"the root project first, then installed packages"`
	Counts            map[string]int `json:"counts" jsonschema:"nodes by kind: models, seeds, snapshots, tests, analyses, sources, exposures, macros, docs, disabled"`
	Errors            int            `json:"errors"`
	Warnings          int            `json:"warnings"`
	WarningKinds      map[string]int `json:"warning_kinds,omitempty" jsonschema:"diagnostics by kind"`
	Diagnostics       []Diagnostic   `json:"diagnostics" jsonschema:"errors first, at most 20"`
	LoadedAt          string         `json:"loaded_at"`
	LoadSeconds       float64        `json:"load_seconds"`
	ColumnsReady      bool           `json:"columns_ready" jsonschema:"every model's columns are inferred (else the first column question infers what it needs)"`
	Note              string         `json:"note,omitempty"`
}

// Diagnostic is a problem of the project at a file and line.
type Diagnostic struct {
	Where    string `json:"where" jsonschema:"file:line:column"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
}

// NodeSummary is one node of a list.
type NodeSummary struct {
	UniqueID     string   `json:"unique_id"`
	Name         string   `json:"name"`
	ResourceType string   `json:"resource_type"`
	Path         string   `json:"path" jsonschema:"the file, relative to the project"`
	Materialized string   `json:"materialized,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	Description  string   `json:"description,omitempty" jsonschema:"the first 200 characters"`
}

type listInput struct {
	Search          string `json:"search,omitempty" jsonschema:"part of the name, case-insensitive"`
	Tag             string `json:"tag,omitempty" jsonschema:"only nodes with this tag"`
	Path            string `json:"path,omitempty" jsonschema:"a folder or file prefix relative to the project (models/marts), or a glob (models/*/fct_*.sql)"`
	Column          string `json:"column,omitempty" jsonschema:"only nodes that output or document a column of this name"`
	ResourceType    string `json:"resource_type,omitempty" jsonschema:"model (the default), seed, snapshot, source, or all"`
	IncludePackages bool   `json:"include_packages,omitempty" jsonschema:"also list the nodes of installed packages"`
	Cursor          string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
	Limit           int    `json:"limit,omitempty" jsonschema:"nodes per page (default 100, at most 1000)"`
}

// NodeList is a page of nodes.
type NodeList struct {
	Nodes      []NodeSummary `json:"nodes"`
	Total      int           `json:"total" jsonschema:"how many nodes match, over all pages"`
	NextCursor string        `json:"next_cursor,omitempty" jsonschema:"pass as cursor for the next page; absent on the last"`
}

type nameInput struct {
	Name string `json:"name" jsonschema:"a model, seed or snapshot name, a unique id, or source_name.table_name"`
}

// NodeDetails is what get_node_details answers.
type NodeDetails struct {
	UniqueID     string         `json:"unique_id"`
	Name         string         `json:"name"`
	ResourceType string         `json:"resource_type"`
	Package      string         `json:"package"`
	Path         string         `json:"path" jsonschema:"the file, relative to the project"`
	PropertyFile string         `json:"property_file,omitempty" jsonschema:"where its properties are declared, file:line"`
	Relation     string         `json:"relation,omitempty" jsonschema:"the relation it builds"`
	Materialized string         `json:"materialized,omitempty"`
	Description  string         `json:"description,omitempty"`
	Tags         []string       `json:"tags,omitempty"`
	Config       map[string]any `json:"config,omitempty"`
	Meta         map[string]any `json:"meta,omitempty"`
	Columns      []ColumnInfo   `json:"columns" jsonschema:"output columns in SQL order, then documented columns the SQL does not output"`
	Tests        []TestInfo     `json:"tests" jsonschema:"data tests on the node and its columns"`
	DependsOn    []string       `json:"depends_on" jsonschema:"direct parents"`
	Children     []string       `json:"children" jsonschema:"direct children (tests left out)"`
	RawSQL       string         `json:"raw_sql,omitempty"`
	CompiledSQL  string         `json:"compiled_sql,omitempty"`
	Unresolved   []string       `json:"unresolved,omitempty" jsonschema:"why the column list may be incomplete, file:line: reason"`
	Note         string         `json:"note,omitempty"`
}

// ColumnInfo is one column of a node.
type ColumnInfo struct {
	Name         string              `json:"name"`
	DataType     string              `json:"data_type,omitempty" jsonschema:"inferred from the SQL, else as declared"`
	DeclaredType string              `json:"declared_type,omitempty" jsonschema:"data_type in the property file"`
	Description  string              `json:"description,omitempty"`
	Tests        []string            `json:"tests,omitempty"`
	InSQL        bool                `json:"in_sql" jsonschema:"the model's SQL outputs it"`
	Documented   bool                `json:"documented" jsonschema:"the property file lists it"`
	Kind         string              `json:"kind,omitempty" jsonschema:"direct, transform, aggregate or window"`
	Upstream     []columns.ColumnRef `json:"upstream,omitempty" jsonschema:"the columns it is computed from"`
	Line         int                 `json:"line,omitempty" jsonschema:"the line of its select item"`
}

// TestInfo is one data test.
type TestInfo struct {
	UniqueID  string         `json:"unique_id"`
	Test      string         `json:"test" jsonschema:"not_null, unique, relationships, dbt_utils.accepted_range, singular, ..."`
	Column    string         `json:"column,omitempty"`
	Arguments map[string]any `json:"arguments,omitempty"`
}

type compileInput struct {
	Model string `json:"model,omitempty" jsonschema:"the model to compile (its SQL with refs, sources and macros resolved)"`
	SQL   string `json:"sql,omitempty" jsonschema:"SQL with Jinja to compile with the project's macros, refs and sources (instead of model)"`
}

// Compiled is what compile answers.
type Compiled struct {
	UniqueID    string `json:"unique_id,omitempty"`
	CompiledSQL string `json:"compiled_sql"`
	Note        string `json:"note,omitempty"`
}

func (s *Server) addProjectTools() {
	addTool(s, tool{name: "get_project_summary", title: "Project summary", readOnly: true,
		description: "Summarise the dbt project: name, adapter, packages, node counts and load problems (file:line)."},
		s.projectSummary)
	addTool(s, tool{name: "list_models", title: "List and search models", readOnly: true,
		description: "List models (or seeds, snapshots, sources) filtered by name, tag, path or column, a page at a time."},
		s.listModels)
	addTool(s, tool{name: "get_node_details", title: "Model details", readOnly: true,
		description: "One model's SQL and compiled SQL, config, columns with types, descriptions and tests, parents and children."},
		s.nodeDetails)
	addTool(s, tool{name: "compile", title: "Compile", readOnly: true,
		description: "Compile a model, or SQL with Jinja, to the SQL the warehouse runs (refs, sources and macros resolved)."},
		s.compile)
}

func (s *Server) projectSummary(ctx context.Context, _ struct{}) (*ProjectSummary, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	p := snap.p
	out := &ProjectSummary{Name: p.Name, Root: p.Root, Adapter: p.Adapter, RequireDbtVersion: p.RequireDbtVersion,
		Counts: map[string]int{}, LoadedAt: snap.loadedAt.UTC().Format(time.RFC3339), LoadSeconds: snap.took.Seconds(),
		Diagnostics: []Diagnostic{}}
	for _, pk := range p.Packages {
		out.Packages = append(out.Packages, pk.Name)
	}
	plural := map[string]string{dbt.Model: "models", dbt.Seed: "seeds", dbt.Snapshot: "snapshots", dbt.Test: "tests", dbt.Analysis: "analyses"}
	for _, n := range p.Nodes {
		if k := plural[n.ResourceType]; k != "" {
			out.Counts[k]++
		}
	}
	out.Counts["sources"], out.Counts["exposures"], out.Counts["macros"], out.Counts["docs"] = len(p.Sources), len(p.Exposures), len(p.Macros), len(p.Docs)
	for _, l := range p.Disabled {
		out.Counts["disabled"] += len(l)
	}
	diags := append([]dbt.Diagnostic(nil), p.Diagnostics...)
	sort.SliceStable(diags, func(i, j int) bool { return diags[i].Severity == "error" && diags[j].Severity != "error" })
	for _, d := range diags {
		if d.Severity == "error" {
			out.Errors++
		} else {
			out.Warnings++
			if out.WarningKinds == nil {
				out.WarningKinds = map[string]int{}
			}
			out.WarningKinds[d.Kind]++
		}
		if len(out.Diagnostics) < 20 {
			out.Diagnostics = append(out.Diagnostics, diagnostic(d))
		}
	}
	if len(diags) > 20 {
		out.Note = fmt.Sprintf("%d of %d diagnostics shown; `dataops parse` lists them all.", 20, len(diags))
	}
	_, out.ColumnsReady = snap.full.ready()
	return out, nil
}

func diagnostic(d dbt.Diagnostic) Diagnostic {
	return Diagnostic{Where: where(d.Pos), Severity: d.Severity, Kind: d.Kind, Message: d.Message}
}

func where(p dbt.Pos) string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Column)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	return p.Path
}

func isModelLike(rt string) bool { return rt == dbt.Model || rt == dbt.Seed || rt == dbt.Snapshot }

func (s *Server) listModels(ctx context.Context, in listInput) (*NodeList, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	p := snap.p
	rt := strings.ToLower(in.ResourceType)
	switch rt {
	case "":
		rt = dbt.Model
	case "models", "seeds", "snapshots", "sources":
		rt = strings.TrimSuffix(rt, "s")
	case dbt.Model, dbt.Seed, dbt.Snapshot, dbt.SourceRT, "all":
	default:
		return nil, fmt.Errorf("resource_type %q: want model, seed, snapshot, source or all", in.ResourceType)
	}
	var inf *columns.Result
	if in.Column != "" {
		// Output columns come from inference: wait for it once.
		all, err := snap.inferredAll(ctx)
		if err != nil {
			return nil, err
		}
		inf = all.res
	}
	root := rootPackage(p)
	search := strings.ToLower(in.Search)
	match := func(id, name, pkg, file string, tags []string, declared []*dbt.Column) bool {
		if !in.IncludePackages && pkg != root {
			return false
		}
		if search != "" && !strings.Contains(strings.ToLower(name), search) && !strings.Contains(strings.ToLower(id), search) {
			return false
		}
		if in.Tag != "" && !containsFold(tags, in.Tag) {
			return false
		}
		if in.Path != "" && !pathMatches(in.Path, file) {
			return false
		}
		if in.Column != "" {
			found := inf.Node(id).Column(in.Column) != nil
			for _, c := range declared {
				found = found || strings.EqualFold(c.Name, in.Column)
			}
			if !found {
				return false
			}
		}
		return true
	}
	var all []NodeSummary
	if rt != dbt.SourceRT {
		for id, n := range p.Nodes {
			if !isModelLike(n.ResourceType) || n.Disabled || (rt != "all" && n.ResourceType != rt) {
				continue
			}
			if match(id, n.Name, n.Package, n.RelPath, n.Tags, n.Columns) {
				all = append(all, nodeSummary(n))
			}
		}
	}
	if rt == dbt.SourceRT || rt == "all" {
		for id, src := range p.Sources {
			if match(id, src.SourceName+"."+src.Name, src.Package, src.Pos.Path, src.Tags, src.Columns) {
				all = append(all, NodeSummary{UniqueID: id, Name: src.SourceName + "." + src.Name, ResourceType: dbt.SourceRT,
					Path: src.Pos.Path, Tags: src.Tags, Description: firstChars(src.Description, 200)})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].UniqueID < all[j].UniqueID })
	page, next, err := pageOf(all, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return &NodeList{Nodes: nonNilSlice(page), Total: len(all), NextCursor: next}, nil
}

func nodeSummary(n *dbt.Node) NodeSummary {
	return NodeSummary{UniqueID: n.UniqueID, Name: n.Name, ResourceType: n.ResourceType, Path: n.RelPath,
		Materialized: configString(n.Config, "materialized"), Tags: n.Tags, Description: firstChars(n.Description, 200)}
}

func pathMatches(pattern, file string) bool {
	pattern = strings.TrimPrefix(strings.TrimSuffix(pattern, "/"), "./")
	if strings.ContainsAny(pattern, "*?[") {
		ok, _ := path.Match(pattern, file)
		return ok
	}
	return file == pattern || strings.HasPrefix(file, pattern+"/")
}

func containsFold(l []string, s string) bool {
	return slices.ContainsFunc(l, func(x string) bool { return strings.EqualFold(x, s) })
}

func firstChars(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < n {
		return strings.TrimSpace(s[:i]) + " …"
	}
	if out, cut := clip(s, n); cut {
		return out + "…"
	}
	return s
}

func configString(c map[string]any, key string) string {
	if v, ok := c[key].(string); ok {
		return v
	}
	return ""
}

func rootPackage(p *dbt.Project) string {
	for _, pk := range p.Packages {
		if pk.IsRoot {
			return pk.Name
		}
	}
	return p.Name
}

func nonNilSlice[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// resolve finds the node a name means, or says which names come close.
func resolve(p *dbt.Project, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("name a model: its name, unique id, or source_name.table_name")
	}
	if id, ok := lineage.Resolve(p, name); ok {
		return id, nil
	}
	var near []string
	lower := strings.ToLower(name)
	for _, n := range p.Nodes {
		if isModelLike(n.ResourceType) && !n.Disabled && strings.Contains(strings.ToLower(n.Name), lower) {
			near = append(near, n.Name)
		}
	}
	sort.Strings(near)
	near = dedupSorted(near)
	if len(near) > 5 {
		near = near[:5]
	}
	if len(near) > 0 {
		return "", fmt.Errorf("unknown model %q (did you mean %s?)", name, strings.Join(near, ", "))
	}
	return "", fmt.Errorf("unknown model %q: list_models lists the names", name)
}

func (s *Server) nodeDetails(ctx context.Context, in nameInput) (*NodeDetails, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	p := snap.p
	id, err := resolve(p, in.Name)
	if err != nil {
		return nil, err
	}
	var ns notes
	out := &NodeDetails{UniqueID: id, Tests: []TestInfo{}, Columns: []ColumnInfo{}}
	var declared []*dbt.Column
	if n := p.Nodes[id]; n != nil {
		out.Name, out.ResourceType, out.Package, out.Path = n.Name, n.ResourceType, n.Package, n.RelPath
		out.Relation, out.Materialized, out.Description, out.Tags = n.RelationName, configString(n.Config, "materialized"), n.Description, n.Tags
		out.Config, out.Meta = jsonMap(n.Config), jsonMap(n.Meta)
		if n.Patch != nil && n.Patch.File != "" {
			out.PropertyFile = fmt.Sprintf("%s:%d", n.Patch.File, max(n.Patch.Pos.Line, 1))
		}
		out.RawSQL = ns.clipField(n.RawCode, maxSQLChars, "raw_sql")
		if n.CompiledCode != "" && n.CompiledCode != n.RawCode {
			out.CompiledSQL = ns.clipField(n.CompiledCode, maxSQLChars, "compiled_sql")
		}
		out.DependsOn = n.DependsOn.Nodes
		declared = n.Columns
	} else if src := p.Sources[id]; src != nil {
		out.Name, out.ResourceType, out.Package, out.Path = src.SourceName+"."+src.Name, dbt.SourceRT, src.Package, src.Pos.Path
		out.PropertyFile = where(src.Pos)
		out.Relation, out.Description, out.Tags = src.RelationName, src.Description, src.Tags
		out.Config, out.Meta = jsonMap(src.Config), jsonMap(src.Meta)
		declared = src.Columns
	}
	out.DependsOn = nonNilSlice(out.DependsOn)
	out.Children = []string{}
	for _, c := range p.ChildMap[id] {
		if !strings.HasPrefix(c, "test.") {
			out.Children = append(out.Children, c)
		}
	}
	inf := snap.columnsOf(ctx, s.eng, id).Node(id)
	out.Columns = mergeColumns(inf, declared)
	if inf != nil {
		for _, u := range inf.Unresolved {
			out.Unresolved = append(out.Unresolved, u.String())
		}
	}
	for _, tid := range snap.testsOn(id) {
		out.Tests = append(out.Tests, testInfo(p.Nodes[tid]))
	}
	out.Note = ns.String()
	return out, nil
}

// mergeColumns lists the inferred columns in SQL order with what the property file says of
// them, then the documented columns the SQL does not output.
func mergeColumns(inf *columns.Node, declared []*dbt.Column) []ColumnInfo {
	byName := map[string]*dbt.Column{}
	for _, c := range declared {
		byName[strings.ToLower(c.Name)] = c
	}
	out := []ColumnInfo{}
	seen := map[string]bool{}
	if inf != nil {
		for _, c := range inf.Columns {
			ci := ColumnInfo{Name: c.Name, DataType: c.DataType, InSQL: true, Kind: string(c.Kind), Upstream: c.Lineage, Line: c.Pos.Line}
			if d := byName[strings.ToLower(c.Name)]; d != nil {
				ci.Documented, ci.Description, ci.DeclaredType, ci.Tests = true, d.Description, d.DataType, testNames(d.Tests)
				if ci.DataType == "" {
					ci.DataType = d.DataType
				}
			}
			seen[strings.ToLower(c.Name)] = true
			out = append(out, ci)
		}
	}
	for _, d := range declared {
		if seen[strings.ToLower(d.Name)] {
			continue
		}
		out = append(out, ColumnInfo{Name: d.Name, DataType: d.DataType, DeclaredType: d.DataType, Description: d.Description,
			Tests: testNames(d.Tests), Documented: true, Line: d.Pos.Line})
	}
	return out
}

func testNames(ts []*dbt.TestDef) []string {
	var out []string
	for _, t := range ts {
		name := t.Name
		if t.Namespace != "" {
			name = t.Namespace + "." + name
		}
		out = append(out, name)
	}
	return out
}

func testInfo(n *dbt.Node) TestInfo {
	ti := TestInfo{UniqueID: n.UniqueID, Test: "singular"}
	if m := n.TestMeta; m != nil {
		ti.Test, ti.Column = m.Name, m.ColumnName
		if m.Namespace != "" {
			ti.Test = m.Namespace + "." + m.Name
		}
		args := map[string]any{}
		for k, v := range m.Kwargs {
			if k != "column_name" && k != "model" {
				args[k] = v
			}
		}
		if len(args) > 0 {
			ti.Arguments = jsonMap(args)
		}
	}
	return ti
}

// jsonMap returns m as JSON reads it back: values YAML gave (maps with non-string keys) become
// plain JSON values, so every answer validates against its schema.
func jsonMap(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(jsonSafe(m))
	if err != nil {
		return nil
	}
	var out map[string]any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func jsonSafe(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonSafe(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = jsonSafe(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonSafe(x)
		}
		return out
	}
	return v
}

func (s *Server) compile(ctx context.Context, in compileInput) (*Compiled, error) {
	if (in.Model == "") == (in.SQL == "") {
		return nil, fmt.Errorf("give either model or sql")
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	p := snap.p
	var ns notes
	if in.Model != "" {
		id, err := resolve(p, in.Model)
		if err != nil {
			return nil, err
		}
		n := p.Nodes[id]
		if n == nil || n.ResourceType == dbt.Seed {
			return nil, fmt.Errorf("%s has no SQL to compile", id)
		}
		if n.Render != nil && n.Render.Err != nil {
			return nil, fmt.Errorf("%s: %v", n.RelPath, n.Render.Err)
		}
		code := n.CompiledCode
		if code == "" {
			code = n.RawCode
		}
		out := &Compiled{UniqueID: id, CompiledSQL: ns.clipField(code, maxSQLChars, "compiled_sql")}
		if configString(n.Config, "materialized") == "ephemeral" || strings.Contains(code, "__dbt__cte__") {
			ns.add("Refs to ephemeral models read __dbt__cte__<name>: dbt prepends those CTEs when it runs the model.")
		}
		out.Note = ns.String()
		return out, nil
	}
	sql, err := compileInline(p, in.SQL)
	if err != nil {
		return nil, err
	}
	return &Compiled{CompiledSQL: ns.clipField(sql, maxSQLChars, "compiled_sql"), Note: ns.String()}, nil
}

// compileInline renders SQL written for the project (as dbt compile --inline does): refs and
// sources become the relations the project's models and sources are built in.
func compileInline(p *dbt.Project, sql string) (string, error) {
	if p.Jinja == nil || !strings.Contains(sql, "{") {
		return sql, nil
	}
	res := p.Jinja.Render(jinja.Input{Path: "inline.sql", Source: sql, Package: rootPackage(p), Name: "inline_query",
		ResourceType: dbt.Analysis, Resolver: projectResolver{p}, Execute: true})
	if res.Err != nil {
		return "", fmt.Errorf("inline.sql: %v", res.Err)
	}
	r := projectResolver{p}
	for _, ref := range res.Refs {
		if _, ok := r.Ref(ref.Package, ref.Name, ref.Version); !ok {
			return "", fmt.Errorf("inline.sql:%d:%d: ref('%s') names no model of the project", ref.Pos.Line, ref.Pos.Column, ref.Name)
		}
	}
	for _, src := range res.Sources {
		if _, ok := r.Source(src.Source, src.Table); !ok {
			return "", fmt.Errorf("inline.sql:%d:%d: source('%s', '%s') names no source table", src.Pos.Line, src.Pos.Column, src.Source, src.Table)
		}
	}
	return res.Output, nil
}

// projectResolver resolves refs and sources of SQL that is no node of the project, as written
// in the root package: a model of the root package first, then of any package; the latest
// version unless one is named.
type projectResolver struct{ p *dbt.Project }

func (r projectResolver) Ref(pkg, name, version string) (jinja.Relation, bool) {
	root := rootPackage(r.p)
	var best *dbt.Node
	for _, n := range r.p.Nodes {
		if !isModelLike(n.ResourceType) || n.Disabled || n.Name != name || (pkg != "" && n.Package != pkg) {
			continue
		}
		if version != "" && n.Version != version || version == "" && n.Version != "" && n.LatestVersion != "" && n.Version != n.LatestVersion {
			continue
		}
		if best == nil || n.Package == root && best.Package != root {
			best = n
		}
	}
	if best == nil {
		return jinja.Relation{}, false
	}
	if configString(best.Config, "materialized") == "ephemeral" {
		return jinja.Relation{Identifier: best.Name, Ephemeral: true}, true
	}
	return jinja.Relation{Database: best.Database, Schema: best.Schema, Identifier: best.Alias}, true
}

func (r projectResolver) Source(source, table string) (jinja.Relation, bool) {
	for _, s := range r.p.Sources {
		if s.SourceName == source && s.Name == table {
			return jinja.Relation{Database: s.Database, Schema: s.Schema, Identifier: s.Identifier}, true
		}
	}
	return jinja.Relation{}, false
}
