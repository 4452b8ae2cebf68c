package dbt

import (
	"context"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
)

// Project code reads only the allowed env vars; profiles.yml reads any, and its credentials
// reach neither templates nor unmasked output.
func TestEnvVarsOfProjectCodeAndProfile(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: e\nprofile: e\nmodel-paths: [\"{{ env_var('SYNC', 'models') }}\"]\n" +
			"vars:\n  region: \"{{ env_var('SHOP_REGION') }}\"\n",
		"profiles.yml": "e:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: localhost\n      schema: \"{{ env_var('DBT_ENV_SECRET_SCHEMA') }}\"\n" +
			"      password: \"{{ env_var('PG_PASSWORD') }}\"\n      keyfile_json: {type: service_account, private_key: literal-key-0001}\n",
		"models/m.sql": "select '{{ var('region') }}' as r, '{{ env_var('SECRET_TOKEN') }}' as s, '{{ target.password }}' as p, '{{ target.schema }}' as t",
	})
	environ := map[string]string{"SHOP_REGION": "eu", "SECRET_TOKEN": "planted-secret-value-123",
		"PG_PASSWORD": "pg-password-789", "DBT_ENV_SECRET_SCHEMA": "analytics"}
	m := secret.New()
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(environ), Secrets: m,
		EnvVars: jinja.EnvVars{Allow: []string{"SHOP_*"}, Setting: "security.env_vars"}})
	if err != nil {
		t.Fatal(err)
	}
	n := p.Nodes["model.e.m"]
	if n == nil {
		t.Fatalf("nodes: %v", p.Nodes)
	}
	want := "select 'eu' as r, '" + jinja.RefusedEnvVar + "' as s, '' as p, 'analytics' as t"
	if n.CompiledCode != want {
		t.Errorf("compiled:\n%s\nwant:\n%s", n.CompiledCode, want)
	}
	var kinds []string
	for _, d := range p.Diagnostics {
		kinds = append(kinds, d.Kind)
		// SYNC in dbt_project.yml (its default is used) and SECRET_TOKEN in the model
		at := d.Pos.Path == "models/m.sql" && d.Pos.Line == 1 || d.Pos.Path == "dbt_project.yml" && d.Pos.Line == 3
		if d.Kind == "refused-env-var" && (!at || !strings.Contains(d.Message, "security.env_vars")) {
			t.Errorf("refused-env-var diagnostic: %+v", d)
		}
	}
	if got := strings.Join(kinds, ","); !strings.Contains(got, "refused-env-var") || !strings.Contains(got, "hidden-credential") {
		t.Errorf("diagnostics: %s", got)
	}
	if got := m.MaskString("pg-password-789 literal-key-0001 analytics service_account"); got != "*** *** analytics service_account" {
		t.Errorf("the profile's credentials were not registered for masking: %q", got)
	}
}

// An env var without default that is not set stops dbt. The load goes on with the variable's
// name in its place, so `{{ target.database }}.streamline.udf_hash(a)` still parses, and
// warns once per variable, where it is first read (profiles.yml, dbt_project.yml, a property
// file, a model), naming the other places. The name standing in for a password is no
// credential: it is not masked, so the warning stays readable.
func TestUnsetEnvVarRendersItsName(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: e\nprofile: e\nmodels:\n  e:\n    +schema: \"{{ env_var('SHOP_SCHEMA') }}\"\n",
		"profiles.yml": "e:\n  target: prod\n  outputs:\n    prod:\n      type: snowflake\n" +
			"      database: \"{{ env_var('DATABASE') }}\"\n      password: \"{{ env_var('SNOWFLAKE_PASSWORD') }}\"\n      schema: silver\n",
		"models/m0.sql": "select 1 as a",
		"models/m1.sql": "select\n    {{ target.database }}.streamline.udf_hash(a) as b\nfrom {{ ref('m0') }}",
		"models/m2.sql": "select '{{ env_var('DATABASE') }}' as c",
		"models/schema.yml": "models:\n  - name: m2\n    config:\n      alias: \"{{ env_var('SHOP_ALIAS') }}\"\n" +
			"sources:\n  - name: s\n    tables:\n      - name: \"{{ env_var('DATABASE') }}\"\n",
	})
	m := secret.New()
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Compile: true, Getenv: envOf(nil), Secrets: m,
		EnvVars: jinja.EnvVars{Allow: []string{"SHOP_*", "DATABASE"}, Setting: "security.env_vars"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "target database", p.Target.Database, "DATABASE")
	if n := p.Nodes["model.e.m1"]; n == nil || !strings.HasPrefix(n.CompiledCode, "select\n    DATABASE.streamline.udf_hash(a) as b") {
		t.Errorf("m1: %+v", n)
	}
	if n := p.Nodes["model.e.m2"]; n == nil || n.Schema != "silver_SHOP_SCHEMA" || n.Alias != "SHOP_ALIAS" {
		t.Errorf("m2: %+v", n)
	}
	if p.Sources["source.e.s.DATABASE"] == nil {
		t.Errorf("sources: %v", p.Sources)
	}
	var got []string
	for _, d := range p.Diagnostics {
		if d.Kind == "unknown-env-var" {
			got = append(got, d.Pos.String()+": "+d.Message)
		}
	}
	want := []string{
		"dbt_project.yml:5:14: env var 'SHOP_SCHEMA' is not set and has no default (dbt stops here); rendered as SHOP_SCHEMA",
		"models/m2.sql:1:9: env var 'DATABASE' is not set and has no default (dbt stops here); rendered as DATABASE" +
			" (also read at models/schema.yml:8:9, profiles.yml:6:17)",
		"models/schema.yml:2:11: env var 'SHOP_ALIAS' is not set and has no default (dbt stops here); rendered as SHOP_ALIAS",
		"profiles.yml:7:17: env var 'SNOWFLAKE_PASSWORD' is not set and has no default (dbt stops here); rendered as SNOWFLAKE_PASSWORD",
	}
	eq(t, "unknown-env-var warnings", got, want)
	if s := m.MaskString("SNOWFLAKE_PASSWORD DATABASE"); s != "SNOWFLAKE_PASSWORD DATABASE" {
		t.Errorf("a stand-in name was masked: %q", s)
	}
}
