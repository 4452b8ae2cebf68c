package dbt

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// writeProject lays out a project from path → content and returns its directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadClean loads a project written from files, failing the test on an error or on any
// diagnostic.
func loadClean(t *testing.T, files map[string]string, compile bool) *Project {
	t.Helper()
	p, err := Load(context.Background(), LoadOptions{Dir: writeProject(t, files), Compile: compile, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic %+v", d)
	}
	return p
}

func loadDir(t *testing.T, dir string) (*Project, error) {
	t.Helper()
	return Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil)})
}

func TestInputErrors(t *testing.T) {
	base := "name: p\nprofile: none\n"
	cases := []struct {
		name  string
		files map[string]string
		path  string
		line  int
		msg   string
	}{
		{"no project file", map[string]string{"models/a.sql": "select 1"}, "", 0, "no dbt_project.yml"},
		{"malformed project yml", map[string]string{"dbt_project.yml": "name: p\nmodels:\n  - [oops\n"}, "dbt_project.yml", 3, "invalid YAML"},
		{"project without name", map[string]string{"dbt_project.yml": "profile: x\n"}, "dbt_project.yml", 1, "no `name:`"},
		{"models tree not a mapping", map[string]string{"dbt_project.yml": base + "models: [a]\n"}, "dbt_project.yml", 3, "models:"},
		{"malformed property file", map[string]string{"dbt_project.yml": base, "models/s.yml": "version: 2\nmodels:\n  - name: a\n    columns: {x\n"}, "models/s.yml", 4, "invalid YAML"},
		{"models not a list", map[string]string{"dbt_project.yml": base, "models/s.yml": "version: 2\nmodels:\n  name: a\n"}, "models/s.yml", 2, "must be a list"},
		{"column without name", map[string]string{"dbt_project.yml": base, "models/s.yml": "models:\n  - name: a\n    columns:\n      - description: x\n"}, "models/s.yml", 4, "no name"},
		{"test with two keys", map[string]string{"dbt_project.yml": base, "models/s.yml": "models:\n  - name: a\n    columns:\n      - name: c\n        tests:\n          - unique: {}\n            not_null: {}\n"}, "models/s.yml", 6, "one key"},
		{"duplicate model", map[string]string{"dbt_project.yml": base, "models/x/a.sql": "select 1", "models/y/a.sql": "select 2"}, "models/y/a.sql", 0, "models/x/a.sql and models/y/a.sql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeProject(t, c.files)
			_, err := loadDir(t, dir)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if c.path != "" && ie.Pos.Path != c.path {
				t.Errorf("path = %q, want %q (%v)", ie.Pos.Path, c.path, err)
			}
			if ie.Pos.Line != c.line {
				t.Errorf("line = %d, want %d (%v)", ie.Pos.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q lacks %q", err.Error(), c.msg)
			}
		})
	}
}

// Properties written twice for a model or macro that exists are an error at the second entry,
// as dbt refuses them, but the load goes on with the first, so a review can point at it.
func TestPropertiesTwiceAreAnErrorAtTheSecond(t *testing.T) {
	base := "name: p\nprofile: none\n"
	for name, files := range map[string]map[string]string{
		"model": {"dbt_project.yml": base, "models/a.sql": "select 1", "models/s1.yml": "models:\n  - name: a\n    description: first\n", "models/s2.yml": "models:\n  - name: a\n    description: second\n"},
		"macro": {"dbt_project.yml": base, "macros/m.sql": "{% macro m() %}1{% endmacro %}", "macros/s1.yml": "macros:\n  - name: m\n    description: first\n", "macros/s2.yml": "macros:\n  - name: m\n    description: second\n"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := loadDir(t, writeProject(t, files))
			if err != nil {
				t.Fatal(err)
			}
			var got []Diagnostic
			for _, d := range p.Diagnostics {
				if d.Kind == "duplicate-patch" {
					got = append(got, d)
				}
			}
			if len(got) != 1 || got[0].Severity != "error" || !strings.HasSuffix(got[0].Pos.Path, "s2.yml") || got[0].Pos.Line != 2 ||
				!strings.Contains(got[0].Message, "two places") {
				t.Fatalf("diagnostics %+v, want one error at s2.yml:2", p.Diagnostics)
			}
			desc := ""
			if n := p.Nodes["model.p.a"]; n != nil {
				desc = n.Description
			} else if m := p.Macros["macro.p.m"]; m != nil {
				desc = m.Description
			}
			if desc != "first" {
				t.Errorf("description %q, want the first entry's", desc)
			}
		})
	}
}

func TestDisabledDuplicateIsAllowed(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/x/a.sql":  "{{ config(enabled=false) }}\nselect 1",
		"models/y/a.sql":  "select 2",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Nodes["model.p.a"]; n == nil || n.OriginalFilePath != "models/y/a.sql" {
		t.Errorf("enabled a = %+v", n)
	}
}

// Two entries for a model that has no file: dbt warns that neither matches a node and builds
// the rest of the project, so the load goes on with a warning for each entry.
func TestPropertiesTwiceForNoModelWarn(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as id",
		"models/x/s.yml":  "models:\n  - name: gone\n  - name: a\n",
		"models/y/s.yml":  "models:\n  - name: gone\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiag(p, "models/x/s.yml", "unknown-patch", `"gone"`) || !hasDiag(p, "models/y/s.yml", "unknown-patch", "also at models/x/s.yml:2") {
		t.Errorf("diagnostics = %+v", p.Diagnostics)
	}
	if n := p.Nodes["model.p.a"]; n == nil || n.PatchPath == "" {
		t.Errorf("a = %+v", n)
	}
}

func TestWarningsCarryPositions(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: w\nprofile: none\n",
		"models/a.sql":    "select * from {{ ref('b') }}\n",
		"models/b.sql":    "select * from {{ ref('a') }}\n",
		"models/c.sql":    "select *\nfrom {{ ref('missing_model') }}\njoin {{ source('raw', 'nowhere') }} using (id)\n",
		"models/d.sql":    "select {{ 1 + }} as x\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	find := func(kind string) *Diagnostic {
		for i := range p.Diagnostics {
			if p.Diagnostics[i].Kind == kind {
				return &p.Diagnostics[i]
			}
		}
		t.Errorf("no %s diagnostic in %+v", kind, p.Diagnostics)
		return nil
	}
	if d := find("unknown-ref"); d != nil && (d.Pos.Path != "models/c.sql" || d.Pos.Line != 2 || d.Pos.Column == 0 || !strings.Contains(d.Message, "missing_model")) {
		t.Errorf("unknown-ref at %+v: %s", d.Pos, d.Message)
	}
	if d := find("unknown-source"); d != nil && (d.Pos.Line != 3 || !strings.Contains(d.Message, "nowhere")) {
		t.Errorf("unknown-source at %+v: %s", d.Pos, d.Message)
	}
	if d := find("cycle"); d != nil && (d.Severity != "error" || !strings.Contains(d.Message, "model.w.a -> model.w.b -> model.w.a")) {
		t.Errorf("cycle: %+v", d)
	}
	if d := find("jinja-syntax"); d != nil && (d.Pos.Path != "models/d.sql" || d.Pos.Line != 1) {
		t.Errorf("jinja-syntax at %+v", d.Pos)
	}
	if n := p.Nodes["model.w.d"]; n == nil || n.RawCode != "select {{ 1 + }} as x\n" {
		t.Errorf("a model with a Jinja error must stay, with its raw code: %+v", n)
	}
	if order := p.TopoOrder(); len(order) != len(p.Nodes) {
		t.Errorf("TopoOrder drops nodes on a cycle: %v", order)
	}
}

func TestEnvVarInPathsAndDefaults(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":        "name: e\nprofile: none\nmodel-paths: [\"{{ env_var('SYNC', 'none') }}/models\"]\n",
		"acme/models/m.sql":      "select 1 as id",
		"acme/models/schema.yml": "models:\n  - name: m\n    description: M.\n",
		"other/ignored.sql":      "select 2",
	})
	allowed := jinja.EnvVars{Allow: []string{"SYNC"}}
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(map[string]string{"SYNC": "acme"}), EnvVars: allowed})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "model paths", p.ModelPaths, []string{"acme/models"})
	n := p.Nodes["model.e.m"]
	if n == nil {
		t.Fatalf("model m not found: %v", p.Nodes)
	}
	eq(t, "path under the rendered model path", n.Path, "m.sql")
	eq(t, "description", n.Description, "M.")
	eq(t, "default adapter", p.Adapter, "duckdb")
	eq(t, "default schema", n.Schema, "main")
	eq(t, "default target", p.Target.Name, "dev")
	if len(p.Nodes) != 1 {
		t.Errorf("nodes = %d, want only m", len(p.Nodes))
	}
	p, err = Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil), EnvVars: allowed})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Kind != "missing-path" || p.Diagnostics[0].Pos.Line != 3 || !strings.Contains(p.Diagnostics[0].Message, "none/models") {
		t.Errorf("unset env var in model-paths: diagnostics = %+v", p.Diagnostics)
	}
}

func TestProfileTargetSelection(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: t\nprofile: t\n",
		"models/m.sql":    "select 1",
	})
	profiles := writeProject(t, map[string]string{
		"profiles.yml": "t:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: /tmp/x/dev.duckdb, schema: s1}\n    prod: {type: snowflake, database: ANALYTICS, schema: PROD}\n",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, ProfilesDir: profiles, Target: "prod", Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "adapter", p.Adapter, "snowflake")
	eq(t, "relation unquoted on snowflake", p.Nodes["model.t.m"].RelationName, "ANALYTICS.PROD.m")
	p, err = Load(context.Background(), LoadOptions{Dir: dir, ProfilesDir: profiles, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "duckdb database from the file name", p.Target.Database, "dev")
	_, err = Load(context.Background(), LoadOptions{Dir: dir, ProfilesDir: profiles, Target: "nope", Getenv: envOf(nil)})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `no target "nope"`) {
		t.Errorf("unknown --target: err = %v", err)
	}
}

func TestRelationName(t *testing.T) {
	for _, c := range []struct {
		adapter string
		quoting map[string]any
		want    string
	}{
		{"postgres", nil, `"d"."s"."t"`},
		{"duckdb", map[string]any{"database": false}, `d."s"."t"`},
		{"snowflake", nil, "d.s.t"},
		{"bigquery", nil, "`d`.`s`.`t`"},
		{"databricks", nil, "d.s.t"},
		{"snowflake", map[string]any{"identifier": true}, `d.s."t"`},
	} {
		got := RelationName(c.adapter, c.quoting, relationOf("d", "s", "t"))
		if got != c.want {
			t.Errorf("RelationName(%s, %v) = %s, want %s", c.adapter, c.quoting, got, c.want)
		}
	}
}

func TestGenerateSchemaNameOverride(t *testing.T) {
	p := loadClean(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +schema: marts\n",
		"macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}\n" +
			"  {%- if node.resource_type == 'seed' -%}raw\n" +
			"  {%- elif custom_schema_name is none -%}{{ target.schema }}\n" +
			"  {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n{%- endmacro %}\n",
		"models/a.sql":       "select 1 as id",
		"models/marts/b.sql": "select * from {{ ref('a') }}",
		"seeds/s.csv":        "id\n1\n",
	}, true)
	eq(t, "default schema", p.Nodes["model.g.a"].Schema, "main")
	eq(t, "custom schema as is", p.Nodes["model.g.b"].Schema, "marts")
	eq(t, "seed schema from node.resource_type", p.Nodes["seed.g.s"].Schema, "raw")
}

func TestGenerateAliasAndDatabaseNameOverrides(t *testing.T) {
	p := loadClean(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +alias: renamed\n      +database: other\n",
		"macros/naming.sql": "{% macro generate_alias_name(custom_alias_name=none, node=none) -%}\n" +
			"  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}\n" +
			"  {%- else -%}{{ node.fqn[1:] | join('__') }}{%- endif -%}\n{%- endmacro %}\n" +
			"{% macro generate_database_name(custom_database_name=none, node=none) -%}\n" +
			"  {%- if custom_database_name is none -%}{{ target.database }}\n" +
			"  {%- else -%}{{ target.database }}_{{ custom_database_name | trim }}{%- endif -%}\n{%- endmacro %}\n",
		"models/staging/a.sql": "select 1 as id",
		"models/marts/b.sql":   "select * from {{ ref('a') }}",
	}, true)
	a, b := p.Nodes["model.g.a"], p.Nodes["model.g.b"]
	eq(t, "alias from node.fqn", a.Alias, "staging__a")
	eq(t, "custom alias", b.Alias, "renamed")
	if a.Database == "" || b.Database != a.Database+"_other" {
		t.Errorf("databases a=%q b=%q, want b = a + _other", a.Database, b.Database)
	}
	if want := `"` + a.Database + `"."main"."staging__a"`; !strings.Contains(b.CompiledCode, want) {
		t.Errorf("ref to a does not use its generated alias: %s", b.CompiledCode)
	}
}

// The node a naming macro is given holds the names dbt has set on it by then: the generated
// database when the schema is named, the generated schema when the alias is.
func TestNamingMacrosSeeEarlierNames(t *testing.T) {
	p := loadClean(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +schema: marts\n      +alias: renamed\n",
		"macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}\n" +
			"  {{ node.database }}_{{ node.schema }}{% if custom_schema_name %}_{{ custom_schema_name | trim }}{% endif %}\n{%- endmacro %}\n" +
			"{% macro generate_alias_name(custom_alias_name=none, node=none) -%}\n" +
			"  {%- if custom_alias_name and node.schema.lower().endswith('marts') -%}{{ node.name }}\n" +
			"  {%- elif custom_alias_name -%}{{ custom_alias_name | trim }}\n" +
			"  {%- else -%}{{ node.schema }}__{{ node.name }}{%- endif -%}\n{%- endmacro %}\n",
		"models/a.sql":       "select 1 as id",
		"models/marts/b.sql": "select * from {{ ref('a') }}",
	}, false)
	a, b := p.Nodes["model.g.a"], p.Nodes["model.g.b"]
	eq(t, "schema from the generated database and the target's schema", a.Schema, a.Database+"_main")
	eq(t, "custom schema", b.Schema, a.Database+"_main_marts")
	eq(t, "alias from the generated schema", a.Alias, a.Schema+"__a")
	eq(t, "custom alias dropped in a marts schema", b.Alias, "b")
}

// A naming macro that reads its node is given the node as a dict, as a literal written in the
// template would be: `.get` with a default, `.items()` in key order, list slicing and tests.
func TestNamingMacroReadsNodeAsDict(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +materialized: table\n      +tags: [daily, core]\n",
		"macros/naming.sql": "{% macro generate_alias_name(custom_alias_name=none, node=none) -%}\n" +
			"  {%- set parts = [] -%}\n" +
			"  {%- for k, v in node.config.items() if v is string -%}{%- do parts.append(k[:3]) -%}{%- endfor -%}\n" +
			"  {{ node.config.get('materialized', 'view') }}_{{ node.config.get('missing', 'dflt') }}_{{ node.tags | join('-') }}" +
			"_{{ parts | join('') }}_{{ node.fqn[-1] }}{{ '_custom' if custom_alias_name is not none }}\n" +
			"{%- endmacro %}\n",
		"models/staging/a.sql": "select 1 as id",
		"models/marts/b.sql":   "{{ config(alias='bee') }}select * from {{ ref('a') }}",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "alias of a", p.Nodes["model.g.a"].Alias, "view_dflt__mat_a")
	eq(t, "alias of b", p.Nodes["model.g.b"].Alias, "table_dflt_daily-core_alimat_b_custom")
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic %+v", d)
	}
}

func TestGenerateSchemaNameDelegatingToBuiltins(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +schema: marts\n",
		"macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}\n" +
			"  {%- if node.resource_type == 'seed' -%}{{ default__generate_schema_name(custom_schema_name, node) }}\n" +
			"  {%- else -%}{{ generate_schema_name_for_env(custom_schema_name, node) }}{%- endif -%}\n{%- endmacro %}\n",
		"models/a.sql":         "select 1 as id",
		"models/marts/b.sql":   "select * from {{ ref('a') }}",
		"seeds/s.csv":          "id\n1\n",
		"seeds/properties.yml": "seeds:\n  - name: s\n    config:\n      schema: raw\n",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	// Off the prod target, generate_schema_name_for_env ignores the custom schema.
	eq(t, "model schema", p.Nodes["model.g.b"].Schema, "main")
	eq(t, "seed schema from dbt's default", p.Nodes["seed.g.s"].Schema, "main_raw")
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic %+v", d)
	}
}

// dbt's generate_schema_name dispatches: a project may override default__generate_schema_name
// (or <adapter>__generate_schema_name) instead of the macro itself.
func TestGenerateSchemaNameDispatchedOverride(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\nmodels:\n  g:\n    marts:\n      +schema: marts\n",
		"macros/naming.sql": "{% macro default__generate_schema_name(custom_schema_name, node) -%}\n" +
			"  {%- if custom_schema_name is none -%}{{ target.schema }}\n" +
			"  {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n{%- endmacro %}\n" +
			"{% macro duckdb__generate_alias_name(custom_alias_name, node) -%}{{ node.name }}_t{%- endmacro %}\n",
		"models/a.sql":       "select 1 as id",
		"models/marts/b.sql": "select * from {{ ref('a') }}",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "default schema", p.Nodes["model.g.a"].Schema, "main")
	eq(t, "custom schema as is", p.Nodes["model.g.b"].Schema, "marts")
	eq(t, "alias from the adapter's implementation", p.Nodes["model.g.b"].Alias, "b_t")
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic %+v", d)
	}
}

func TestPassesNode(t *testing.T) {
	checkPredicate(t, "passesNode", passesNode, map[string]bool{
		"{% macro generate_schema_name(custom_schema_name, node) -%}{{ default__generate_schema_name(custom_schema_name, node) }}{%- endmacro %}": false,
		"{% macro generate_schema_name(custom_schema_name, node) -%}{{ generate_schema_name_for_env(custom_schema_name, node) }}{%- endmacro %}":  false,
		"{% macro generate_schema_name(custom_schema_name, node) -%}{{ my_schema(custom_schema_name, node) }}{%- endmacro %}":                     true,
		"{% macro generate_schema_name(custom_schema_name, node) -%}{{ node.name }}{%- endmacro %}":                                               false,
		"{% macro generate_alias_name(custom_alias_name=none, node=none) -%}{{ custom_alias_name }}{%- endmacro %}":                               false,
	})
}

// checkPredicate runs fn on each case's text and wants its verdict.
func checkPredicate(t *testing.T, name string, fn func(string) bool, cases map[string]bool) {
	t.Helper()
	for src, want := range cases {
		if got := fn(src); got != want {
			t.Errorf("%s(%q) = %v, want %v", name, src, got, want)
		}
	}
}

func TestGenerateSchemaNamePassingNodeOn(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\n",
		"macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}{{ schema_for(node) }}{%- endmacro %}\n" +
			"{% macro schema_for(n) -%}{{ 'raw' if n.resource_type == 'seed' else target.schema }}{%- endmacro %}\n",
		"models/a.sql": "select 1 as id",
		"seeds/s.csv":  "id\n1\n",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "model schema", p.Nodes["model.g.a"].Schema, "main")
	eq(t, "seed schema read by the helper macro", p.Nodes["seed.g.s"].Schema, "raw")
}

// A var no project sets is reported where an enabled model reads it; a disabled model is
// never compiled, and dbt's parse reads the var as none without a word.
func TestUnknownVarInDisabledModel(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/off.sql":  "{{ config(enabled=var('predict_enabled', false)) }}\nselect * from {{ var('predictions') }}",
		"models/on.sql":   "select * from {{ var('predictions') }}",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-var" {
			got = append(got, d.Pos.Path)
		}
	}
	if len(got) != 1 || got[0] != "models/on.sql" {
		t.Errorf("unknown-var reported in %v, want only models/on.sql", got)
	}
}

// Source and table names in a property file are rendered, as dbt renders them: a model that
// calls source() with the same expression finds the table.
func TestTemplatedSourceNames(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/src.yml": "version: 2\nsources:\n  - name: \"{{ 'raw' }}\"\n    tables:\n" +
			"      - name: \"{{ env_var('DATASET_ID', 'not-set') ~ '_stream_accounts' }}\"\n        columns:\n          - name: id\n            tests: [not_null]\n",
		"models/accounts.sql": "{% set t = env_var('DATASET_ID', 'not-set') ~ '_stream_accounts' %}select id from {{ source('raw', t) }}",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	const id = "source.p.raw.not-set_stream_accounts"
	if s := p.Sources[id]; s == nil || s.Identifier != "not-set_stream_accounts" {
		t.Fatalf("sources: %v", slices.Collect(maps.Keys(p.Sources)))
	}
	if got := p.Nodes["model.p.accounts"].DependsOn.Nodes; len(got) != 1 || got[0] != id {
		t.Errorf("depends_on %v", got)
	}
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-source" {
			t.Errorf("unexpected %+v", d)
		}
	}
}

// A singular test of a model disabled by default is disabled with it, as dbt does, without a
// warning; one of a model that does not exist is still reported.
func TestSingularTestOfDisabledModel(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":         "name: p\nprofile: none\n",
		"models/claims.sql":       "{{ config(enabled=var('claims_enabled', false)) }}\nselect 1 as id",
		"tests/claims_unique.sql": "select id from {{ ref('claims') }} group by id having count(*) > 1",
		"tests/typo.sql":          "select * from {{ ref('claimz') }}",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Nodes["test.p.claims_unique"]; ok || len(p.Disabled["test.p.claims_unique"]) != 1 {
		t.Errorf("the test of the disabled model is not disabled")
	}
	var refs []string
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-ref" {
			refs = append(refs, d.Pos.Path)
		}
	}
	if len(refs) != 1 || refs[0] != "tests/typo.sql" {
		t.Errorf("unknown-ref in %v, want only tests/typo.sql", refs)
	}
}

// An env var dbt_project.yml reads that the trusted configuration does not allow is reported
// at its line, once, so a missing path made of its default explains itself.
func TestRefusedEnvVarInProjectFile(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":   "name: p\nprofile: none\nmodel-paths: [\"{{ env_var('SYNC_NAME', 'not-set') }}/models\"]\nvars:\n  a: \"{{ env_var('SYNC_NAME', 'x') }}\"\n",
		"sync/models/a.sql": "select 1 as id",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(map[string]string{"SYNC_NAME": "sync"})})
	if err != nil {
		t.Fatal(err)
	}
	var refused, missing int
	for _, d := range p.Diagnostics {
		switch d.Kind {
		case "refused-env-var":
			refused++
			if d.Pos.Path != "dbt_project.yml" || !strings.Contains(d.Message, "SYNC_NAME") {
				t.Errorf("refused: %+v", d)
			}
		case "missing-path":
			missing++
		}
	}
	if refused != 1 || missing != 1 {
		t.Errorf("want one refused-env-var beside the missing path, got %+v", p.Diagnostics)
	}
}

// Packages declared and none installed: dbt would refuse to parse before `dbt deps`; the load
// says so once, at packages.yml, and goes on.
func TestPackagesNotInstalled(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: g\nprofile: none\n",
		"packages.yml":    "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - local: ../shared\n",
		"models/a.sql":    "select 1 as id",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got []Diagnostic
	for _, d := range p.Diagnostics {
		if d.Kind == "packages-not-installed" {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].Pos.Path != "packages.yml" || !strings.Contains(got[0].Message, "declares 2 package(s)") {
		t.Errorf("diagnostics = %+v", p.Diagnostics)
	}
	// Installed: no word of it.
	dir2 := writeProject(t, map[string]string{
		"dbt_project.yml":                        "name: g\nprofile: none\n",
		"packages.yml":                           "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n",
		"dbt_packages/dbt_utils/dbt_project.yml": "name: dbt_utils\n",
		"models/a.sql":                           "select 1 as id",
	})
	p2, err := Load(context.Background(), LoadOptions{Dir: dir2, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p2.Diagnostics {
		if d.Kind == "packages-not-installed" {
			t.Errorf("warned with the package installed: %+v", d)
		}
	}
}

// An entry named like the model's file, in another case or with a typo matches no model;
// dbt's warning is given the name it most likely means.
func TestUnknownPatchSaysWhichModelItMeans(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":          "name: p\nprofile: none\n",
		"models/daily_revenue.sql": "select 1 as id",
		"models/s.yml":             "models:\n  - name: daily_revenue.sql\n  - name: Daily_Revenue\n  - name: daily_revenu\n  - name: orders\n",
	})
	p, err := loadDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"daily_revenue.sql"`, `"Daily_Revenue"`, `"daily_revenu"`} {
		if !hasDiag(p, "models/s.yml", KindUnknownPatch, name+", which has no file (did you mean daily_revenue?)") {
			t.Errorf("no hint for %s: %+v", name, p.Diagnostics)
		}
	}
	if hasDiag(p, "models/s.yml", KindUnknownPatch, "did you mean daily_revenue?)\n") || !hasDiag(p, "models/s.yml", KindUnknownPatch, `"orders", which has no file`) {
		t.Errorf("diagnostics = %+v", p.Diagnostics)
	}
}

func TestMeantName(t *testing.T) {
	names := []string{"orders", "orders_daily", "stg_orders", "stg_order"}
	for entry, want := range map[string]string{
		"orders.sql": "orders", "ORDERS": "orders", "stg_orders.py": "stg_orders", "orders_dialy": "orders_daily",
		"stg_orderz": "", // one edit from stg_orders and from stg_order: a guess
		"customers":  "",
	} {
		if got := MeantName(entry, names); got != want {
			t.Errorf("MeantName(%q) = %q, want %q", entry, got, want)
		}
	}
	if !EntryMeans("orders.sql", "orders") || EntryMeans("orders", "orders") || EntryMeans("Orders.sql", "orders") {
		t.Errorf("EntryMeans")
	}
}

// A naming macro that only writes node.name out is rendered once per distinct rest of the
// node and the name put back; one that tests or changes the name is rendered per node. Both
// name every model as dbt would.
func TestNamingMacroNameStandIn(t *testing.T) {
	for _, c := range []struct {
		name, macro string
		slot        bool
		want        map[string]string
	}{
		{"written out", "{%- if custom_alias_name -%}{{ custom_alias_name | trim }}\n" +
			"{%- elif node.version -%}{{ return(node.name ~ \"_v\" ~ (node.version | replace(\".\", \"_\"))) }}\n" +
			"{%- else -%}{{ node.name }}{%- endif -%}", true,
			map[string]string{"model.g.stg_a": "stg_a", "model.g.b": "b", "model.g.c": "renamed", "model.g.d.v2": "d_v2"}},
		{"tested", "{%- if node.name.startswith('stg_') -%}{{ node.name[4:] }}{%- else -%}{{ node.name }}{%- endif -%}", false,
			map[string]string{"model.g.stg_a": "a", "model.g.b": "b", "model.g.c": "c", "model.g.d.v2": "d"}},
		{"filtered", "{{ node.name | upper }}", false,
			map[string]string{"model.g.stg_a": "STG_A", "model.g.b": "B"}},
		{"kept in a variable", "{%- set n = 'x_' ~ node.name -%}{{ n if n | length > 5 else node.name }}", false,
			map[string]string{"model.g.stg_a": "x_stg_a", "model.g.b": "b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := nameWrittenOnly(c.macro); got != c.slot {
				t.Errorf("nameWrittenOnly = %v, want %v", got, c.slot)
			}
			p := loadClean(t, map[string]string{
				"dbt_project.yml": "name: g\nprofile: none\n",
				"macros/naming.sql": "{% macro generate_alias_name(custom_alias_name=none, node=none) -%}\n" + c.macro +
					"\n{%- endmacro %}\n",
				"models/stg_a.sql": "select 1 as id",
				"models/b.sql":     "select 2 as id",
				"models/c.sql":     "{{ config(alias='renamed') }}\nselect 3 as id",
				"models/d_v2.sql":  "select 4 as id",
				"models/d.yml":     "version: 2\nmodels:\n  - name: d\n    latest_version: 2\n    versions:\n      - v: 2\n",
			}, false)
			for id, want := range c.want {
				if n := p.Nodes[id]; n == nil {
					t.Errorf("no node %s", id)
				} else {
					eq(t, id+" alias", n.Alias, want)
				}
			}
		})
	}
}

func TestNameWrittenOnly(t *testing.T) {
	checkPredicate(t, "nameWrittenOnly", nameWrittenOnly, map[string]bool{
		"{{ node.name }}":                                  true,
		"{{- node['name'] -}}":                             true,
		"{% do return(node.name) %}":                       true,
		"{{ 'p_' ~ node.name ~ '_' ~ target.name }}":       true,
		"{{ return((node.name)) }}":                        false,
		"{{ node.name ~ 'x' | upper }}":                    true,
		"{{ (node.name ~ 'x') | upper }}":                  false,
		"{{ f(node.name) }}":                               false,
		"{% set x = node.name %}{{ x }}":                   false,
		"{% filter upper %}{{ node.name }}{% endfilter %}": false,
		"{% set x %}{{ node.name }}{% endset %}{{ x }}":    false,
		"{% if node.name == 'a' %}b{% endif %}":            false,
		"{{ node.fqn[-1] }}":                               false,
		"{{ return(node.name) }}{{ node.name[1:] }}":       false,
		"{{ 'a' ~ \"~)\" ~ node.name }}":                   true,
	})
}

func TestReadNamerMacro(t *testing.T) {
	for _, c := range []struct {
		src      string
		perNode  bool
		attrs    []string // nil: any
		nameSlot bool
	}{
		{"{{ target.schema }}", false, []string{}, false},
		{"{# use the name of the node and its version #}{%- if node.version -%}{{ return(node.name ~ '_v' ~ node.version) }}" +
			"{%- else -%}{{ node.name }}{%- endif -%}", true, []string{"name", "version"}, true},
		{"{{ other_macro(node) }}{{ node.name }}", true, nil, false},
		{"{{ node.fqn | join('_') }}", true, []string{"fqn"}, false},
	} {
		perNode, attrs, slot := readNamerMacro(c.src)
		var got []string
		if attrs != nil {
			got = slices.Sorted(maps.Keys(attrs))
			if got == nil {
				got = []string{}
			}
		}
		if perNode != c.perNode || !slices.Equal(got, c.attrs) || (got == nil) != (c.attrs == nil) || slot != c.nameSlot {
			t.Errorf("readNamerMacro(%q) = %v, %v, %v; want %v, %v, %v", c.src, perNode, got, slot, c.perNode, c.attrs, c.nameSlot)
		}
	}
}

// A property file a merge left conflict markers in is refused at the opening marker, saying
// so, rather than at whatever token YAML trips on first.
func TestPropertyFileConflictMarkers(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select 1 as id",
		"models/a.yml": "version: 2\nmodels:\n  - name: a\n<<<<<<< HEAD\n    description: One.\n=======\n" +
			"    description: Uno.\n>>>>>>> translate\n",
	})
	_, err := loadDir(t, dir)
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an InputError", err)
	}
	if want := (Pos{Path: "models/a.yml", Line: 4, Column: 1}); ie.Pos != want || !strings.Contains(ie.Msg, `unresolved merge conflict: the line "<<<<<<< HEAD"`) {
		t.Errorf("error at %+v: %s; want at %+v about the merge conflict", ie.Pos, ie.Msg, want)
	}
}
