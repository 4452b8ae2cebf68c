package dbt

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/source"
)

// renderNodes renders every SQL node once at parse time (execute=false) on GOMAXPROCS workers:
// refs, sources, config() and the macros used come out of that render. Nodes are then
// finalised (schema, alias, relation) and placed in the graph or among the disabled.
func (l *loader) renderNodes() error {
	pend := l.pending
	l.parallel(len(pend), func(i int) {
		pd := pend[i]
		n := pd.node
		switch {
		case n.ResourceType == Seed:
		case pd.python:
			l.scanPython(pd)
		default:
			l.parseRender(pd)
		}
		l.opts.Progress.add("rendering", 1)
	})
	// finalize touches only its node (the naming macros' caches are shared and locked), and a
	// naming override that reads its node argument is rendered once per node.
	l.parallel(len(pend), func(i int) {
		l.finalize(pend[i].node)
		l.shareConfig(pend[i].node)
	})
	return l.place()
}

func (l *loader) parseRender(pd *pending) {
	n := pd.node
	in := jinja.Input{
		Path: n.RelPath, Source: pd.source, Package: n.Package, Name: n.Name, ResourceType: n.ResourceType,
		Config: cloneConfig(n.Config), Execute: false,
	}
	// thisRel is what messages name `this` by: the relation of the config before the render.
	var thisRel func() jinja.Relation
	if l.opts.Compile {
		// One render serves both: relations are placeholders until every config is known
		// (see placeholder.go). The relation before the render is named only for a message
		// that printed `this`: naming it renders the naming macros again for every node whose
		// config() sets its schema or alias, a tenth of a cold load.
		pd.ph = &phResolver{}
		in.This = pd.ph.this()
		in.Resolver = pd.ph
		before := *n
		before.Config = in.Config // read before the render, which copies it
		var rel *jinja.Relation
		thisRel = func() jinja.Relation {
			if rel == nil {
				r := l.relation(&before, before.Config)
				rel = &r
			}
			return *rel
		}
	} else {
		in.This = l.relation(n, n.Config)
		thisRel = func() jinja.Relation { return in.This }
	}
	// The config before the render, for the snapshot to render it again, when it may read the
	// clock (the copy costs, on every node of a large project).
	var pre map[string]any
	if l.opts.Cache != nil && (volatile(pd.source) || l.anyVolatileMacro()) {
		pre = cloneConfig(n.Config)
	}
	r := l.cachedRender(in, "parse", pd.ph)
	n.Template = pd.shift
	shiftResult(r, n.RelPath, pd.shift)
	if pre != nil && l.volatileRender(&in, r) {
		in.Config, in.Resolver = pre, nil
		l.noteVolatile(pd, in, r)
	}
	n.Render = r
	n.Refs = r.Refs
	n.SourceRefs = r.Sources
	if r.Config != nil {
		n.Config = l.configs.own(n.Config)
		mergeConfig(n.Config, r.Config)
		// Nothing reads the render's config once merged into the node's, and it is a copy of
		// the whole config (the node's before the render, with what config() set): not kept
		// with the node, nor in its snapshot.
		r.Config = nil
	}
	l.hookRefs(n, in, pd.source)
	n.DependsOn.Macros = uniqueSorted(r.MacrosUsed)
	// dbt's var() answers none for a missing var while parsing and raises only when it
	// compiles the node, which it never does for a disabled one: Tuva's models disabled by
	// default read vars that only the projects enabling them set.
	disabled := !configBool(n.Config, "enabled", true)
	sawSyntax := false
	for _, w := range r.Warnings {
		if disabled && w.Kind == "unknown-var" {
			continue
		}
		path := w.Path
		if path == "" {
			path = n.RelPath
		}
		d := l.jinjaDiag(w, path)
		d.Message = pd.ph.readable(d.Message, thisRel, quoteChar(l.target.Type)[0])
		if d.Kind == "jinja-syntax" || d.Kind == "resource-limit" {
			// already says why the render failed, and where
			sawSyntax = true
		}
		l.addDiag(d)
	}
	if r.Err != nil && !sawSyntax {
		l.addDiag(Diagnostic{Pos: n.Source().Position(0), Severity: "warning", Kind: "jinja-syntax", Message: pd.ph.readable(firstLine(r.Err.Error()), thisRel, quoteChar(l.target.Type)[0])})
	}
}

// hookRefs adds the models and sources a node's hooks read to its own: dbt renders every
// hook while parsing and counts its ref() and source() calls among the node's dependencies
// (an incremental model's post-hook deleting rows found in another model). A ref is placed
// where the node's file names it, else at the file's start.
func (l *loader) hookRefs(n *Node, in jinja.Input, src string) {
	for _, key := range [...]string{"pre-hook", "post-hook"} {
		for _, h := range hookSQL(n.Config[key]) {
			if !strings.Contains(h, "ref(") && !strings.Contains(h, "source(") {
				continue
			}
			hin := in
			// Only the calls matter: no placeholder is taken from the node's compile resolver.
			hin.Source, hin.Config, hin.Resolver = h, cloneConfig(n.Config), nil
			r := l.env.Render(hin)
			at := func(name string) jinja.Position {
				for _, q := range [...]string{"'" + name + "'", `"` + name + `"`} {
					if i := strings.Index(src, q); i >= 0 {
						return jinjaPos(n.Source().Position(i))
					}
				}
				return jinja.Position{Line: 1, Column: 1}
			}
			for _, ref := range r.Refs {
				if ref.Name == n.Name && (ref.Package == "" || ref.Package == n.Package) {
					// A project-wide hook writing to a model runs on that model too: it is
					// no dependency of the model on itself.
					continue
				}
				if !slices.ContainsFunc(n.Refs, func(x jinja.Ref) bool {
					return x.Package == ref.Package && x.Name == ref.Name && x.Version == ref.Version
				}) {
					ref.Pos = at(ref.Name)
					// The render's own slice may be shared (base and head, the cache): grow a copy.
					n.Refs = append(slices.Clip(n.Refs), ref)
				}
			}
			for _, sr := range r.Sources {
				if !slices.ContainsFunc(n.SourceRefs, func(x jinja.SourceRef) bool { return x.Source == sr.Source && x.Table == sr.Table }) {
					sr.Pos = at(sr.Table)
					n.SourceRefs = append(slices.Clip(n.SourceRefs), sr)
				}
			}
		}
	}
}

// hookSQL lists the SQL of a hook config: a string, a list of strings, or entries of the
// form {sql: ..., transaction: ...}.
func hookSQL(v any) []string {
	var out []string
	for _, h := range hookList(v) {
		switch x := h.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			if s, ok := x["sql"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// shiftResult moves a block's render positions to the positions in its file (warnings in
// macro files keep theirs).
func shiftResult(r *jinja.Result, path string, shift source.Shift) {
	if shift == (source.Shift{}) || r == nil {
		return
	}
	move := func(p *jinja.Position) { p.Line, p.Column = shift.ToFile(p.Line, p.Column) }
	for i := range r.Refs {
		move(&r.Refs[i].Pos)
	}
	for i := range r.Sources {
		move(&r.Sources[i].Pos)
	}
	for i := range r.Warnings {
		if r.Warnings[i].Pos.Line > 0 && (r.Warnings[i].Path == path || r.Warnings[i].Path == "") {
			move(&r.Warnings[i].Pos)
		}
	}
}

var (
	pyRefRE    = lazyregexp.New(`dbt\.ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,\s*(?:v|version)\s*=\s*['"]?([\w.]+)['"]?\s*)?\)`)
	pySourceRE = lazyregexp.New(`dbt\.source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)`)
	pyConfigRE = lazyregexp.New(`dbt\.config\(([^)]*)\)`)
	pyKwargRE  = lazyregexp.New(`(\w+)\s*=\s*(?:['"]([^'"]*)['"]|(True|False|\d+))`)
)

// scanPython reads refs, sources and simple config from a Python model without running it.
func (l *loader) scanPython(pd *pending) {
	n := pd.node
	src := pd.source
	file := source.NewFile(n.RelPath, src)
	for _, m := range pyRefRE.FindAllStringSubmatchIndex(src, -1) {
		r := jinja.Ref{Name: src[m[2]:m[3]]}
		if m[4] >= 0 {
			r.Package, r.Name = r.Name, src[m[4]:m[5]]
		}
		if m[6] >= 0 {
			r.Version = src[m[6]:m[7]]
		}
		r.Pos = jinjaPos(file.Position(m[0]))
		n.Refs = append(n.Refs, r)
	}
	for _, m := range pySourceRE.FindAllStringSubmatchIndex(src, -1) {
		n.SourceRefs = append(n.SourceRefs, jinja.SourceRef{Source: src[m[2]:m[3]], Table: src[m[4]:m[5]], Pos: jinjaPos(file.Position(m[0]))})
	}
	for _, m := range pyConfigRE.FindAllStringSubmatch(src, -1) {
		for _, kv := range pyKwargRE.FindAllStringSubmatch(m[1], -1) {
			var v any = kv[2]
			if kv[3] != "" {
				v = nativeValue(kv[3])
			}
			mergeConfigKey(n.Config, normalizeConfigKey(kv[1]), v)
		}
	}
	n.Config["materialized"] = defaultIfView(n.Config["materialized"])
}

// defaultIfView: Python models cannot be views; dbt makes them tables unless set otherwise.
func defaultIfView(v any) any {
	if s, ok := v.(string); !ok || s == "view" {
		return "table"
	}
	return v
}

// finalize derives the node fields that follow from its merged config.
func (l *loader) finalize(n *Node) {
	c := n.Config
	n.Disabled = !configBool(c, "enabled", true)
	n.Tags = toStrings(c["tags"])
	if n.Tags == nil {
		n.Tags = []string{}
	}
	c["tags"] = n.Tags
	if m, ok := c["meta"].(map[string]any); ok {
		n.Meta = m
	}
	rel := l.relation(n, c)
	n.Database, n.Schema, n.Alias = rel.Database, rel.Schema, rel.Identifier
	switch {
	case n.ResourceType == Test || n.ResourceType == Analysis:
	case configString(c, "materialized") == "ephemeral":
	default:
		n.RelationName = l.relationName(rel, c)
	}
}

// relation computes where a node is built: generate_database_name, generate_schema_name and
// generate_alias_name, each dbt's default or the root project's own override.
func (l *loader) relation(n *Node, c map[string]any) jinja.Relation {
	// The node a naming macro is given holds the names dbt has set on it so far: the target's
	// database and schema at first, then each generated name as it is known.
	at := namedSoFar{name: n.Name, database: l.target.Database, schema: l.target.Schema}
	db := l.namers.database.name(c["database"], n, at)
	at.database = db
	var schema string
	if n.ResourceType == Snapshot && configString(c, "target_schema") != "" {
		// Snapshots with the legacy target_schema/target_database bypass the naming macros in dbt.
		schema = configString(c, "target_schema")
		if td := configString(c, "target_database"); td != "" {
			db = td
		}
	} else {
		schema = l.namers.schema.name(c["schema"], n, at)
	}
	at.schema = schema
	alias := n.Name
	if n.ResourceType != Test {
		// A data test's relation is named after the test itself (store_failures).
		alias = l.namers.alias.name(c["alias"], n, at)
	}
	return jinja.Relation{Database: db, Schema: schema, Identifier: alias}
}

// namers holds the three relation-naming macros dbt calls for every model, seed and snapshot.
type namers struct {
	database, schema, alias *namer
}

func newNamers(l *loader) namers {
	return namers{
		database: newNamer(l, "generate_database_name", func(custom string, _ *Node) string {
			if custom != "" {
				return custom
			}
			return l.target.Database
		}),
		schema: newNamer(l, "generate_schema_name", func(custom string, _ *Node) string {
			if custom != "" {
				return l.target.Schema + "_" + custom
			}
			return l.target.Schema
		}),
		alias: newNamer(l, "generate_alias_name", func(custom string, n *Node) string {
			if custom != "" {
				return custom
			}
			if n.Version != "" {
				return n.Name + "_v" + n.Version
			}
			return n.Name
		}),
	}
}

// namer is one naming macro (generate_schema_name and its siblings): dbt's default, or the root
// project's own macro. A macro that never looks at its node argument is rendered once per
// distinct custom value; one that does (node.fqn, node.resource_type, ...) is rendered per node
// with the node's main fields.
type namer struct {
	l        *loader
	macro    string
	def      func(custom string, n *Node) string
	override bool
	perNode  bool
	nameSlot bool            // the macro only writes node.name out: see nameFromSlot
	attrs    map[string]bool // the node attributes the override reads; nil: any
	mu       sync.Mutex
	cache    map[string]string // the names this load gave, by key ("" when the override failed)
	warned   bool
	// stored holds the names of earlier loads whose renders are still valid; fresh the renders
	// of this load that may be stored (see namecache.go).
	stored map[string]namerRow
	fresh  map[string]namerRow
	deps   []renderDeps
}

var nodeUseRE = lazyregexp.New(`\bnode\s*(\.|\[)`)

// jinjaCommentRE matches a Jinja comment, {# ... #}.
var jinjaCommentRE = lazyregexp.New(`(?s)\{#.*?#\}`)

func newNamer(l *loader, macro string, def func(string, *Node) string) *namer {
	s := &namer{l: l, macro: macro, def: def, cache: map[string]string{}}
	if mac := namerMacro(l, macro); mac != nil {
		s.override = true
		s.perNode, s.attrs, s.nameSlot = readNamerMacro(mac.SQL)
		s.load()
	}
	return s
}

// readNamerMacro says how a naming macro's text uses its node: whether it reads it at all,
// the attributes it reads (nil: any, as when it hands the node to another macro), and whether
// it only writes node.name out (nameWrittenOnly).
func readNamerMacro(sql string) (perNode bool, attrs map[string]bool, nameSlot bool) {
	// What comments say of the node ("use the name of the node") is not code.
	src := jinjaCommentRE.ReplaceAllString(sql, "")
	if passesNode(src) {
		// node handed to another macro, which may read any of it
		return true, nil, false
	}
	attrs = nodeAttrs(src)
	return nodeUseRE.MatchString(src), attrs, attrs["name"] && nameWrittenOnly(src)
}

// namerMacro is the project's naming macro: the root project's own generate_schema_name (and
// siblings), or else its implementation of the one dbt dispatches (default__generate_schema_name,
// <adapter>__generate_schema_name), which dbt's own calls through dispatch; nil when neither.
func namerMacro(l *loader, macro string) *Macro {
	if mac := l.p.Macros["macro."+l.root.pkg.Name+"."+macro]; mac != nil {
		return mac
	}
	if l.env != nil {
		if id := l.env.DBTOverride(macro); id != "" {
			return l.p.Macros[id]
		}
	}
	return nil
}

var (
	nodeAttrRE    = lazyregexp.New(`\bnode\s*(?:\.\s*(\w+)|\[\s*['"](\w+)['"]\s*\])`)
	nodeDynItemRE = lazyregexp.New(`\bnode\s*\[\s*[^'"\s]`)
)

var (
	macroHeaderRE  = lazyregexp.New(`\{%-?\s*macro\s+\w+\s*\([^)]*\)\s*-?%\}`)
	builtinNamerRE = lazyregexp.New(`\b(?:default__generate_\w+_name|generate_\w+_name_for_env)\s*\([^()]*\)`)
	bareNodeRE     = lazyregexp.New(`\bnode\b\s*[^.\[\s]`)
)

// passesNode reports whether a naming macro hands its node argument on to another macro
// (not counting dbt's own naming macros, which never read it).
func passesNode(src string) bool {
	src = macroHeaderRE.ReplaceAllString(src, "")
	src = builtinNamerRE.ReplaceAllString(src, "")
	return bareNodeRE.MatchString(src)
}

// nodeAttrs lists the attributes of node a naming macro reads (node.fqn, node['tags']), so
// the per-node cache key holds only those and nodes that agree on them share one render. nil
// when the macro indexes node with an expression.
func nodeAttrs(src string) map[string]bool {
	if nodeDynItemRE.MatchString(src) {
		return nil
	}
	out := map[string]bool{}
	for _, m := range nodeAttrRE.FindAllStringSubmatch(src, -1) {
		out[m[1]+m[2]] = true
	}
	return out
}

// namedSoFar is the name, database and schema a node holds when a naming macro is called on
// it.
type namedSoFar struct{ name, database, schema string }

// nameStandIn takes the place of a node's name where a naming macro only writes the name out
// (nameWrittenOnly): one render serves every node that agrees on the rest.
const nameStandIn = "dataops_node_name_stand_in"

func (s *namer) name(custom any, n *Node, at namedSoFar) string {
	cs := ""
	if custom != nil {
		cs = strings.TrimSpace(fmt.Sprint(custom))
	}
	def := s.def(cs, n)
	if !s.override || s.l.env == nil {
		return def
	}
	if s.perNode && n != nil && s.nameSlot && !strings.Contains(n.Name, nameStandIn) {
		if v, ok := s.nameFromSlot(cs, n, at); ok {
			return v
		}
	}
	key := cs
	var node *Node
	if s.perNode && n != nil {
		node = n
		key = cs + "\x00" + s.nodeLiteral(n, at)
	}
	if v, ok := s.cached(key); ok {
		if v == "" {
			return def // the override failed for this key; the default depends on the node
		}
		return v
	}
	row := s.row(cs, node, at, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if row.failed {
		if !s.warned {
			s.warned = true
			if mac := namerMacro(s.l, s.macro); mac != nil {
				s.l.warn(mac.Pos, "schema-macro", "%s could not be evaluated here (%s); using dbt's default naming", s.macro, row.out)
			}
		}
		s.cache[key] = ""
		return def
	}
	s.cache[key] = row.out
	return row.out
}

// cached is the name this load gave for key, if it gave one ("" when the render could not).
func (s *namer) cached(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.cache[key]
	return v, ok
}

// row is the name an earlier load stored for key, or else the render's. It renders outside
// the lock: nodes are finalized in parallel, and a per-node macro has a key per node. Two
// renders of one key give the same name.
func (s *namer) row(cs string, n *Node, at namedSoFar, key string) namerRow {
	if row, ok := s.stored[key]; ok {
		return row
	}
	return s.render(cs, n, at, key)
}

// nodeLiteral is jinjaLiteral(s.nodeFields(n)), written directly: it is the key of every
// per-node name, computed twice for every node of a load.
func (s *namer) nodeLiteral(n *Node, at namedSoFar) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	field := func(k string, v func()) {
		if s.attrs != nil && !s.attrs[k] {
			return
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(jinjaLiteral(k))
		b.WriteString(": ")
		v()
	}
	lit := func(v any) func() { return func() { b.WriteString(jinjaLiteral(v)) } }
	// In key order, as jinjaLiteral writes a map.
	field("config", func() {
		b.WriteString("{'alias': " + jinjaLiteral(n.Config["alias"]) + ", 'database': " + jinjaLiteral(n.Config["database"]) +
			", 'materialized': " + jinjaLiteral(n.Config["materialized"]) + ", 'schema': " + jinjaLiteral(n.Config["schema"]) +
			", 'tags': " + jinjaLiteral(n.Config["tags"]) + "}")
	})
	field("database", lit(at.database))
	field("fqn", lit(n.FQN))
	field("name", lit(at.name))
	field("original_file_path", lit(n.OriginalFilePath))
	field("package_name", lit(n.Package))
	field("path", lit(n.Path))
	field("resource_type", lit(n.ResourceType))
	field("schema", lit(at.schema))
	field("tags", lit(n.Tags))
	field("unique_id", lit(n.UniqueID))
	if n.Version != "" {
		field("version", lit(n.Version))
	}
	b.WriteByte('}')
	return b.String()
}

// nodeFields are the node's main fields a per-node naming macro is given: those it reads, or
// all when that is not known.
func (s *namer) nodeFields(n *Node, at namedSoFar) map[string]any {
	fields := make(map[string]any, 11)
	add := func(k string, v any) {
		if s.attrs == nil || s.attrs[k] {
			fields[k] = v
		}
	}
	add("name", at.name)
	add("unique_id", n.UniqueID)
	add("resource_type", n.ResourceType)
	add("package_name", n.Package)
	add("fqn", n.FQN)
	add("path", n.Path)
	add("original_file_path", n.OriginalFilePath)
	add("tags", n.Tags)
	add("database", at.database)
	add("schema", at.schema)
	if s.attrs == nil || s.attrs["config"] {
		fields["config"] = map[string]any{"materialized": n.Config["materialized"], "schema": n.Config["schema"],
			"alias": n.Config["alias"], "database": n.Config["database"], "tags": n.Config["tags"]}
	}
	if n.Version != "" {
		add("version", n.Version)
	}
	return fields
}

// literalEscaper is built once: a Replacer prepares its tables on first use, which costs more
// than the replacing itself for the short strings of a naming macro's arguments.
var literalEscaper = strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`)

// jinjaLiteral writes a string, number, bool, nil, list or string-keyed map as a Jinja
// literal.
func jinjaLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		return "'" + literalEscaper.Replace(x) + "'"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int, int64, float64:
		return fmt.Sprint(x)
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jinjaLiteral(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jinjaLiteral(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = jinjaLiteral(k) + ": " + jinjaLiteral(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return jinjaLiteral(fmt.Sprint(v))
}

// relationName writes a relation the way the adapter quotes it in dbt's manifest.
func (l *loader) relationName(r jinja.Relation, cfg map[string]any) string {
	return RelationName(l.target.Type, mergedQuoting(l.p.Quoting, cfg["quoting"]), r)
}

func mergedQuoting(project map[string]any, node any) map[string]any {
	out := map[string]any{}
	for k, v := range project {
		out[k] = v
	}
	if m, ok := node.(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// RelationName renders database.schema.identifier as the adapter does in dbt's manifest:
// double quotes on Postgres, DuckDB, Redshift and most others; backticks on BigQuery and the
// Spark family; no quotes by default on Snowflake, Spark, Databricks, Trino, Athena and Oracle.
// quoting (dbt's `quoting:` database/schema/identifier) overrides the adapter's default policy
// per part. Empty parts are left out.
func RelationName(adapter string, quoting map[string]any, r jinja.Relation) string {
	q := quoteChar(adapter)
	pol := QuotePolicy(adapter, quoting)
	parts := []struct {
		val   string
		quote bool
	}{{r.Database, pol.Database}, {r.Schema, pol.Schema}, {r.Identifier, pol.Identifier}}
	var out []string
	for _, p := range parts {
		if p.val == "" {
			continue
		}
		if p.quote {
			out = append(out, jinja.QuoteIdent(p.val, q[0]))
		} else {
			out = append(out, p.val)
		}
	}
	return strings.Join(out, ".")
}

// QuotePolicy is the adapter's default quoting of relation parts with `quoting:` applied.
func QuotePolicy(adapter string, quoting map[string]any) jinja.QuotePolicy {
	def := true
	switch adapter {
	case "snowflake", "spark", "databricks", "trino", "athena", "oracle":
		def = false
	}
	return jinja.QuotePolicy{
		Database:   configBool(quoting, "database", def),
		Schema:     configBool(quoting, "schema", def),
		Identifier: configBool(quoting, "identifier", def),
	}
}

func quoteChar(adapter string) string {
	switch adapter {
	case "bigquery", "databricks", "spark", "mysql", "clickhouse", "hive", "impala":
		return "`"
	}
	return `"`
}

// place puts every finalised node into the graph or among the disabled, and rejects two
// enabled resources with one name in one package.
func (l *loader) place() error {
	type key struct{ pkg, name, version string }
	seen := map[key]*Node{}
	tests := map[string]*Node{}
	for _, pd := range l.pending {
		n := pd.node
		if n.Disabled {
			l.p.Disabled[n.UniqueID] = append(l.p.Disabled[n.UniqueID], n)
			continue
		}
		switch n.ResourceType {
		case Model, Seed, Snapshot:
			k := key{n.Package, strings.ToLower(n.Name), n.Version}
			if prev, dup := seen[k]; dup {
				a, b := prev.RelPath, n.RelPath
				if b < a {
					a, b = b, a
				}
				return &InputError{Pos: Pos{Path: b}, Msg: fmt.Sprintf("two resources named %q in package %s: %s and %s", n.Name, n.Package, a, b)}
			}
			seen[k] = n
		default:
			if prev, dup := tests[n.UniqueID]; dup {
				return &InputError{Pos: Pos{Path: n.RelPath}, Msg: fmt.Sprintf("two %ss named %q in package %s: %s and %s", n.ResourceType, n.Name, n.Package, prev.RelPath, n.RelPath)}
			}
			tests[n.UniqueID] = n
		}
		l.p.Nodes[n.UniqueID] = n
	}
	return nil
}

func uniqueSorted(l []string) []string {
	if len(l) == 0 {
		return []string{}
	}
	out := slices.Clone(l)
	slices.Sort(out)
	return slices.Compact(out)
}

func jinjaPos(p source.Position) jinja.Position {
	return jinja.Position{Line: p.Line, Column: p.Column}
}

// nameFromSlot names n from one render for its custom value and the node fields the macro
// reads but its name, nameStandIn given in the name's place: a macro that only writes
// node.name out (nameWrittenOnly) takes the same path whatever the name, so its output for n
// is that render's with n's name put back. A project whose alias macro returns node.name on
// one branch renders it once per distinct version and custom alias, not once per model. ok is
// false when that render failed or did not write the stand-in out: n is then named by its own.
func (s *namer) nameFromSlot(cs string, n *Node, at namedSoFar) (string, bool) {
	at.name = nameStandIn
	key := cs + "\x00" + s.nodeLiteral(n, at)
	v, ok := s.cached(key)
	if !ok {
		row := s.row(cs, n, at, key)
		if row.failed || !strings.Contains(row.out, nameStandIn) {
			row.out = ""
		}
		v = row.out
		s.mu.Lock()
		s.cache[key] = v
		s.mu.Unlock()
	}
	if v == "" {
		return "", false
	}
	return strings.ReplaceAll(v, nameStandIn, n.Name), true
}

var (
	nodeNameRE = lazyregexp.New(`\bnode\s*(?:\.\s*name\b|\[\s*['"]name['"]\s*\])`)
	// Blocks whose body is captured, filtered or handed to a caller: what they write is not
	// the macro's output as written.
	capturingBlockRE = lazyregexp.New(`\{%[-+]?\s*(?:filter|call|set\s+\w+\s*[-+]?%\})`)
)

// nameWrittenOnly reports whether a naming macro only writes node.name out, whole: every
// node.name is a whole term of what a {{ }} writes or a return(...) returns, alone or joined
// with ~, never tested, filtered, passed to a call or kept in a variable, and no block
// captures what the macro writes. Its path through the macro is then the same whatever the
// name.
func nameWrittenOnly(src string) bool {
	if capturingBlockRE.MatchString(src) {
		return false
	}
	locs := nodeNameRE.FindAllStringIndex(src, -1)
	if len(locs) == 0 {
		return false
	}
	for _, loc := range locs {
		open := max(strings.LastIndex(src[:loc[0]], "{{"), strings.LastIndex(src[:loc[0]], "{%"))
		if open < 0 {
			return false
		}
		closer := "}}"
		if src[open+1] == '%' {
			closer = "%}"
		}
		end := strings.Index(src[open+2:], closer)
		if end < 0 || open+2+end < loc[1] {
			return false
		}
		expr := strings.Trim(src[open+2:open+2+end], "-+ \t\r\n")
		if closer == "%}" {
			rest, ok := strings.CutPrefix(expr, "do")
			if !ok || rest == "" || !unicode.IsSpace(rune(rest[0])) {
				return false
			}
			expr = strings.TrimSpace(rest)
		}
		if inner, ok := returnArg(expr); ok {
			expr = inner
		} else if closer == "%}" {
			return false
		}
		terms := topLevelTerms(expr)
		if terms == nil {
			return false
		}
		whole := 0
		for _, t := range terms {
			if m := nodeNameRE.FindStringIndex(t); m != nil && m[0] == 0 && m[1] == len(t) {
				whole++
			}
		}
		if whole != len(nodeNameRE.FindAllStringIndex(expr, -1)) {
			return false
		}
	}
	return true
}

// returnArg is the argument of return(...) when expr is that call and nothing else.
func returnArg(expr string) (string, bool) {
	rest, ok := strings.CutPrefix(expr, "return")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	inner := rest[1 : len(rest)-1]
	if topLevelTerms(inner) == nil {
		return "", false // the first parenthesis closes before the last
	}
	return strings.TrimSpace(inner), true
}

// topLevelTerms splits expr at the ~ outside parentheses, brackets and quotes, each term
// trimmed; nil when its parentheses or quotes do not balance.
func topLevelTerms(expr string) []string {
	var terms []string
	depth, start := 0, 0
	closed := unquoted(expr, func(i int, c byte) bool {
		switch {
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == '~' && depth == 0:
			terms = append(terms, strings.TrimSpace(expr[start:i]))
			start = i + 1
		}
		return depth >= 0
	})
	if depth != 0 || !closed {
		return nil
	}
	return append(terms, strings.TrimSpace(expr[start:]))
}
