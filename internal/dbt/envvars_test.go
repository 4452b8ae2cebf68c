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
