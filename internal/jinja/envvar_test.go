package jinja

import (
	"strings"
	"testing"
)

func envVarEnv(t *testing.T, ev EnvVars, lookups *[]string) *Env {
	t.Helper()
	environ := map[string]string{
		"SHOP_REGION": "eu", "SHOP_DB": "analytics", "SECRET_TOKEN": "planted-secret-value-123",
		"GITHUB_TOKEN": "ghs_planted-token-456", "DBT_TARGET_SCHEMA": "ci", "DBT_ENV_SECRET_GIT": "hunter22",
	}
	return testEnv(t, func(o *Options) {
		o.EnvVars = ev
		o.Getenv = func(k string) (string, bool) {
			*lookups = append(*lookups, k)
			v, ok := environ[k]
			return v, ok
		}
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "shop", Path: "macros/leak.sql",
			Source: "{% macro leak() %}\n{{ env_var('SECRET_TOKEN') }}\n{% endmacro %}"})
	})
}

func TestEnvVarReadsOnlyAllowedNames(t *testing.T) {
	var lookups []string
	ev := EnvVars{Allow: []string{"SHOP_*", "DBT_ENV_SECRET_GIT", "DBT_*"}, Setting: "security.env_vars in .dataops.yml"}
	env := envVarEnv(t, ev, &lookups)
	src := "select {{ env_var('SHOP_REGION') }}, {{ env_var('SHOP_DB', 'x') }},\n" +
		"  1 as \"{{ env_var('SECRET_TOKEN') }}\", 2 as id_{{ env_var('GITHUB_TOKEN') | replace('-', '_') }},\n" +
		"  '{{ env_var('SECRET_TOKEN', 'fallback') }}', '{{ env_var('DBT_ENV_SECRET_GIT') }}', '{{ env_var('DBT_TARGET_SCHEMA') }}'"
	res := render(t, env, src)
	want := "select eu, analytics,\n  1 as \"dataops_env_var_refused\", 2 as id_dataops_env_var_refused,\n" +
		"  'fallback', 'dataops_env_var_refused', 'ci'"
	if res.Output != want {
		t.Errorf("output:\n%s\nwant:\n%s", res.Output, want)
	}
	for _, name := range lookups {
		if name == "SECRET_TOKEN" || name == "GITHUB_TOKEN" || strings.HasPrefix(name, "DBT_ENV_SECRET_") {
			t.Errorf("refused name %s was looked up", name)
		}
	}
	w := warnings(res, "refused-env-var")
	if len(w) != 4 {
		t.Fatalf("refused-env-var warnings: %+v", w)
	}
	if w[0].Path != "models/m.sql" || w[0].Pos.Line != 2 || !strings.Contains(w[0].Message, "'SECRET_TOKEN'") ||
		!strings.Contains(w[0].Message, "security.env_vars in .dataops.yml") || !strings.Contains(w[0].Message, RefusedEnvVar) {
		t.Errorf("first warning: %+v", w[0])
	}
	if !strings.Contains(w[2].Message, "default is used") || w[2].Pos.Line != 3 {
		t.Errorf("warning on a refused name with a default: %+v", w[2])
	}
	if !strings.Contains(w[3].Message, "DBT_ENV_SECRET_") || strings.Contains(w[3].Message, "security.env_vars") {
		t.Errorf("a secret name must not be offered as allowable: %+v", w[3])
	}
}

func TestEnvVarDbtConventions(t *testing.T) {
	var lookups []string
	src := "{{ env_var('DBT_TARGET_SCHEMA') }} {{ env_var('DBT_ENV_SECRET_GIT') }}"
	off := envVarEnv(t, EnvVars{Setting: "security.env_vars", DbtSetting: "security.dbt_env: true"}, &lookups)
	res := render(t, off, src)
	if res.Output != RefusedEnvVar+" "+RefusedEnvVar {
		t.Errorf("without dbt conventions: %q", res.Output)
	}
	if w := warnings(res, "refused-env-var"); len(w) != 2 || !strings.Contains(w[0].Message, "security.dbt_env: true") {
		t.Errorf("warnings: %+v", w)
	}
	on := envVarEnv(t, EnvVars{DbtConventions: true}, &lookups)
	if res := render(t, on, src); res.Output != "ci "+RefusedEnvVar {
		t.Errorf("with dbt conventions: %q", res.Output)
	}
	all := envVarEnv(t, EnvVars{All: true}, &lookups)
	if res := render(t, all, src); res.Output != "ci hunter22" {
		t.Errorf("trusted (profiles.yml): %q", res.Output)
	}
}

func TestEnvVarRefusedInsideAMacroIsLocatedThere(t *testing.T) {
	var lookups []string
	env := envVarEnv(t, EnvVars{}, &lookups)
	res := render(t, env, "select 1\n{{ leak() }}")
	if strings.Contains(res.Output, "planted") {
		t.Fatalf("output %q", res.Output)
	}
	w := warnings(res, "refused-env-var")
	if len(w) != 1 || w[0].Path != "macros/leak.sql" || w[0].Pos.Line != 2 {
		t.Errorf("warnings: %+v", w)
	}
	if len(lookups) != 0 {
		t.Errorf("looked up %v with nothing allowed", lookups)
	}
}

func TestTargetHidesCredentials(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Target = map[string]any{"name": "ci", "schema": "analytics", "password": "s3cret-pw", "token": "tok-123456",
			"private_key": "-----BEGIN-----", "keyfile_json": map[string]any{"private_key": "k"}, "client_secret": "cs-123456",
			"user": "ci_user"}
	})
	src := "{{ target.schema }} {{ target.user }} [{{ target.password }}] [{{ target['token'] }}] [{{ target.get('private_key') }}]" +
		"\n[{{ target.keyfile_json }}] [{{ target.client_secret }}] {{ target | tojson }}"
	res := render(t, env, src)
	for _, v := range []string{"s3cret-pw", "tok-123456", "BEGIN", "cs-123456"} {
		if strings.Contains(res.Output, v) {
			t.Errorf("%s reached the output: %s", v, res.Output)
		}
	}
	if !strings.HasPrefix(res.Output, "analytics ci_user [] [] [None]\n[] []") {
		t.Errorf("output %q", res.Output)
	}
	w := warnings(res, "hidden-credential")
	if len(w) != 5 || w[0].Pos.Line != 1 || !strings.Contains(w[0].Message, "target.password") || w[3].Pos.Line != 2 {
		t.Errorf("warnings: %+v", w)
	}
	// Other dicts keep their keys.
	res = render(t, env, "{% set d = {'password': 'p4ss-word'} %}{{ d.password }}")
	if res.Output != "p4ss-word" || len(warnings(res, "hidden-credential")) != 0 {
		t.Errorf("a plain dict: %q %+v", res.Output, res.Warnings)
	}
}

// A var whose value reads an env var has no file of its own: the warning is at the var() call.
func TestEnvVarInAVarValueIsLocatedAtTheCall(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Vars[""]["leak"] = "{{ env_var('SECRET_TOKEN') }}"
		o.Getenv = func(string) (string, bool) { return "planted-secret-value-123", true }
	})
	res := render(t, env, "select 1\n, '{{ var('leak') }}' as x")
	if res.Output != "select 1\n, '"+RefusedEnvVar+"' as x" {
		t.Errorf("output %q", res.Output)
	}
	w := warnings(res, "refused-env-var")
	if len(w) != 1 || w[0].Path != "models/m.sql" || w[0].Pos.Line != 2 || !strings.HasPrefix(w[0].Message, "in '{{ env_var('SECRET_TOKEN') }}': ") {
		t.Errorf("warnings: %+v", w)
	}
}

// TestEnvVarUnsetRendersItsName: dbt stops on an env var without default that is not set; we
// go on with the variable's name in its place, so a relation or function name built from it
// still parses (an empty database would leave `.streamline.udf_hash(a)`), and say so where it
// is read. A default, when given, is used as before.
func TestEnvVarUnsetRendersItsName(t *testing.T) {
	var lookups []string
	env := envVarEnv(t, EnvVars{Allow: []string{"SHOP_*", "API_TOKEN"}}, &lookups)
	res := render(t, env, "select {{ env_var('SHOP_DATABASE') }}.streamline.udf_hash(a) as b,\n"+
		"  '{{ env_var('SHOP_UNSET', 'dflt') }}' as c, '{{ env_var('API_TOKEN') }}' as d\nfrom t")
	want := "select SHOP_DATABASE.streamline.udf_hash(a) as b,\n  'dflt' as c, 'API_TOKEN' as d\nfrom t"
	if res.Output != want {
		t.Errorf("output:\n%s\nwant:\n%s", res.Output, want)
	}
	w := warnings(res, "unknown-env-var")
	if len(w) != 2 || w[0].Path != "models/m.sql" || w[0].Pos.Line != 1 || w[1].Pos.Line != 2 ||
		!strings.Contains(w[0].Message, "env var 'SHOP_DATABASE' is not set and has no default") ||
		!strings.Contains(w[0].Message, "rendered as SHOP_DATABASE") || !strings.Contains(w[1].Message, "'API_TOKEN'") {
		t.Errorf("warnings: %+v", w)
	}
}
