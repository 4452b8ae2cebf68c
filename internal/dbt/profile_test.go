package dbt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// profileFor writes a one-output DuckDB profile whose path names the place it came from, so a
// test can tell which profiles.yml was read.
func profileFor(where string) string {
	return "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: " + where + ".duckdb\n"
}

// The four places dbt looks, in dbt's order: each wins over every later one.
func TestResolveTargetSearchOrder(t *testing.T) {
	flagDir, envDir, home := t.TempDir(), t.TempDir(), t.TempDir()
	project := writeProject(t, map[string]string{"profiles.yml": profileFor("project")})
	for dir, where := range map[string]string{flagDir: "flag", envDir: "env", filepath.Join(home, ".dbt"): "home"} {
		writeFile(t, filepath.Join(dir, "profiles.yml"), profileFor(where))
	}
	emptyProject := t.TempDir()
	for _, c := range []struct {
		name string
		o    ProfileOptions
		want string
	}{
		{"--profiles-dir first", ProfileOptions{ProjectDir: project, ProfilesDir: flagDir, Getenv: envOf(map[string]string{"DBT_PROFILES_DIR": envDir}), Home: home}, "flag"},
		{"then DBT_PROFILES_DIR", ProfileOptions{ProjectDir: project, Getenv: envOf(map[string]string{"DBT_PROFILES_DIR": envDir}), Home: home}, "env"},
		{"then the project directory", ProfileOptions{ProjectDir: project, Getenv: envOf(nil), Home: home}, "project"},
		{"then ~/.dbt", ProfileOptions{ProjectDir: emptyProject, Getenv: envOf(nil), Home: home}, "home"},
		{"an empty DBT_PROFILES_DIR is unset", ProfileOptions{ProjectDir: project, Getenv: envOf(map[string]string{"DBT_PROFILES_DIR": ""}), Home: home}, "project"},
	} {
		c.o.Profile = "shop"
		tg, err := ResolveTarget(c.o)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tg == nil || tg.Database != c.want {
			t.Errorf("%s: read %+v, want the %s profiles.yml", c.name, tg, c.want)
		}
	}
}

// Unlike dbt, a profiles.yml the search found that lacks the profile does not stop the search,
// and no profile at all is no target (dataops then runs on its defaults).
func TestResolveTargetWithoutProfile(t *testing.T) {
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".dbt", "profiles.yml"), profileFor("home"))
	project := writeProject(t, map[string]string{"profiles.yml": "other:\n  outputs: {dev: {type: duckdb}}\n"})
	tg, err := ResolveTarget(ProfileOptions{ProjectDir: project, Profile: "shop", Getenv: envOf(nil), Home: home})
	if err != nil || tg == nil || tg.Database != "home" {
		t.Errorf("project's file without the profile: %+v %v, want ~/.dbt's", tg, err)
	}
	for name, o := range map[string]ProfileOptions{
		"no profiles.yml":       {ProjectDir: t.TempDir(), Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()},
		"no file has it":        {ProjectDir: project, Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()},
		"no profile name":       {ProjectDir: project, Getenv: envOf(nil), Home: home},
		"~/.dbt without it":     {ProjectDir: t.TempDir(), Profile: "other", Getenv: envOf(nil), Home: home},
		"a folder profiles.yml": {ProjectDir: writeProject(t, map[string]string{"profiles.yml/x": ""}), Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()},
	} {
		if tg, err := ResolveTarget(o); err != nil || tg != nil {
			t.Errorf("%s: %+v %v, want no target", name, tg, err)
		}
	}
}

// A file the runner named must exist and hold the profile, as in dbt.
func TestResolveTargetExplicitErrors(t *testing.T) {
	project := writeProject(t, map[string]string{"profiles.yml": profileFor("project")})
	empty, other := t.TempDir(), writeProject(t, map[string]string{"profiles.yml": "other:\n  outputs: {dev: {type: duckdb}}\n"})
	for _, c := range []struct {
		name string
		o    ProfileOptions
		want string
	}{
		{"--profiles-dir without the file", ProfileOptions{ProfilesDir: empty}, filepath.Join(empty, "profiles.yml") + ": --profiles-dir: no profiles.yml there"},
		{"DBT_PROFILES_DIR without the file", ProfileOptions{Getenv: envOf(map[string]string{"DBT_PROFILES_DIR": empty})}, filepath.Join(empty, "profiles.yml") + ": DBT_PROFILES_DIR: no profiles.yml there"},
		{"--profiles-dir without the profile", ProfileOptions{ProfilesDir: other}, filepath.Join(other, "profiles.yml") + `:1:1: no profile "shop"`},
		{"DBT_PROFILES_DIR without the profile", ProfileOptions{Getenv: envOf(map[string]string{"DBT_PROFILES_DIR": other})}, filepath.Join(other, "profiles.yml") + `:1:1: no profile "shop"`},
	} {
		c.o.ProjectDir, c.o.Profile, c.o.Home = project, "shop", t.TempDir()
		_, err := ResolveTarget(c.o)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != c.want {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.want)
		}
	}
}

const shopProfiles = `shop:
  target: "{{ env_var('SHOP_TARGET', 'dev') }}"
  outputs:
    dev:
      type: duckdb
      path: data/shop.duckdb
    pg:
      type: postgres
      host: "{{ env_var('PGHOST') }}"
      dbname: shopdb
      schema: dbt_me
      threads: "{{ env_var('THREADS', '8') }}"
    broken:
      type: duckdb
      threads: many
    untyped:
      path: x.duckdb
`

func resolveShop(t *testing.T, target string, env map[string]string, readOnly bool) (*Target, error) {
	t.Helper()
	dir := writeProject(t, map[string]string{"profiles.yml": shopProfiles})
	return ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Target: target, Getenv: envOf(env), Home: t.TempDir(), ReadOnly: readOnly})
}

// dbt's defaults: the target from the profile's `target:` (env_var rendered), threads 1,
// DuckDB's database from the file name and schema main.
func TestResolveTargetDefaults(t *testing.T) {
	tg, err := resolveShop(t, "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "target", tg.Name, "dev")
	eq(t, "threads", tg.Threads, 1)
	eq(t, "database", tg.Database, "shop")
	eq(t, "schema", tg.Schema, "main")
	eq(t, "in the project", tg.InProject, true)
	eq(t, "outputs", tg.Outputs, []Output{{"dev", "duckdb"}, {"pg", "postgres"}, {"broken", "duckdb"}, {"untyped", ""}})
	eq(t, "line of path", tg.FieldPos["path"].Line, 6)

	tg, err = resolveShop(t, "", map[string]string{"SHOP_TARGET": "pg", "PGHOST": "h"}, false)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "target from the environment", tg.Name, "pg")
	eq(t, "host", tg.Fields["host"], "h")
	eq(t, "threads from a rendered string", tg.Threads, 8)
	eq(t, "database", tg.Database, "shopdb")

	// A profile without `target:` uses the output named "default".
	dir := writeProject(t, map[string]string{"profiles.yml": "shop:\n  outputs:\n    default: {type: duckdb}\n"})
	tg, err = ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()})
	if err != nil || tg.Name != "default" || tg.Database != "memory" {
		t.Errorf("no target: key: %+v %v", tg, err)
	}
	// A profile outside the project directory is the runner's.
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".dbt", "profiles.yml"), profileFor("home"))
	tg, err = ResolveTarget(ProfileOptions{ProjectDir: t.TempDir(), Profile: "shop", Getenv: envOf(nil), Home: home})
	if err != nil || tg.InProject {
		t.Errorf("~/.dbt: %+v %v, want a profile outside the project", tg, err)
	}
}

// Every error names the file, line and column of what is wrong.
func TestResolveTargetErrors(t *testing.T) {
	for _, c := range []struct {
		name, target string
		env          map[string]string
		want         string
	}{
		{"unknown --target", "prod", nil, `profiles.yml:3:3: profile "shop" has no target "prod" (targets: dev, pg, broken, untyped)`},
		{"unknown target from the profile", "", map[string]string{"SHOP_TARGET": "qa"}, `profiles.yml:3:3: profile "shop" has no target "qa"`},
		{"unset variable without default", "pg", nil, "profiles.yml:9:13: environment variable PGHOST is not set and has no default"},
		{"threads not a number", "broken", nil, `profiles.yml:15:16: threads: "many" is not a number`},
		{"no type", "untyped", nil, `profiles.yml:16:5: output "untyped" has no type`},
	} {
		_, err := resolveShop(t, c.target, c.env, false)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.HasSuffix(ie.Pos.Path, "profiles.yml") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ...%s", c.name, err, c.want)
		}
	}
	dir := writeProject(t, map[string]string{"profiles.yml": "shop:\n  target: dev\n  outputs: [\n"})
	_, err := ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Pos.Line == 0 || ie.Pos.Path != filepath.Join(dir, "profiles.yml") {
		t.Errorf("malformed YAML: err = %v, want an error at a line of profiles.yml", err)
	}
	dir = writeProject(t, map[string]string{"profiles.yml": "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      schema: \"{{ var('s') }}\"\n"})
	_, err = ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Getenv: envOf(nil), Home: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "profiles.yml:6:15: cannot render") {
		t.Errorf("an expression other than env_var: err = %v", err)
	}
}

// A read-only load goes on where dbt would stop for a setting it does not use.
func TestResolveTargetReadOnly(t *testing.T) {
	tg, err := resolveShop(t, "", map[string]string{"SHOP_TARGET": "qa"}, true)
	if err != nil || tg.Name != "dev" {
		t.Errorf("missing profile target: %+v %v, want the first output", tg, err)
	}
	if _, err := resolveShop(t, "qa", nil, true); err == nil {
		t.Error("an unknown --target was accepted")
	}
	if tg, err := resolveShop(t, "broken", nil, true); err != nil || tg.Threads != 1 {
		t.Errorf("threads not a number: %+v %v, want 1", tg, err)
	}
	if tg, err := resolveShop(t, "untyped", nil, true); err != nil || tg.Type != "" {
		t.Errorf("no type: %+v %v", tg, err)
	}
}

// A profiles.yml the search found that is not YAML (a committed template) is passed over by a
// read-only load, which hears why; ~/.dbt's profile is then used. A named one still stops it,
// and so does any load that connects.
func TestResolveTargetReadOnlySkipsTemplate(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte("shop:\n  outputs:\n    dev:\n      project: <TODO: fill in>\n      type: bigquery\n"), 0o644)
	os.MkdirAll(filepath.Join(home, ".dbt"), 0o755)
	os.WriteFile(filepath.Join(home, ".dbt", "profiles.yml"), []byte("shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"), 0o644)
	var skipped []error
	tg, err := ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Getenv: envOf(nil), Home: home, ReadOnly: true,
		Skipped: func(err error) { skipped = append(skipped, err) }})
	if err != nil || tg == nil || tg.Type != "postgres" {
		t.Fatalf("read-only: %+v %v, want ~/.dbt's postgres output", tg, err)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "profiles.yml:4:") {
		t.Errorf("skipped = %v, want the template's line", skipped)
	}
	if _, err := ResolveTarget(ProfileOptions{ProjectDir: dir, Profile: "shop", Getenv: envOf(nil), Home: home}); err == nil {
		t.Error("a load that connects went on past a profiles.yml that is not YAML")
	}
	if _, err := ResolveTarget(ProfileOptions{ProjectDir: dir, ProfilesDir: dir, Profile: "shop", Getenv: envOf(nil), Home: home, ReadOnly: true}); err == nil {
		t.Error("a profiles.yml named by --profiles-dir that is not YAML was passed over")
	}
}

func TestStrictEnvRenderer(t *testing.T) {
	render := strictEnvRenderer(envOf(map[string]string{"A": "1"}))
	for in, want := range map[string]string{
		"{{ env_var('A') }}":             "1",
		`x{{env_var("B", "d")}}y`:        "xdy",
		"{{ env_var('B', 5) | int }}":    "5",
		"{{ env_var('A', 'z') | trim }}": "1",
		"plain":                          "plain",
	} {
		got, err := render(Pos{}, in)
		if err != nil || got != want {
			t.Errorf("render(%q) = %v, %v; want %q", in, got, err, want)
		}
	}
	if _, err := render(Pos{}, "{{ var('x') }}"); err == nil {
		t.Error("a non-env_var expression was accepted")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A credential is what output must not show, unless the target shows the same value openly
// in a plain field: masking a password that is also the adapter's name would mask the adapter
// everywhere and keep every render naming it out of the cache.
func TestCredentialsLeaveOutPlainValues(t *testing.T) {
	tg := &Target{Fields: map[string]any{"type": "trino", "user": "trino", "host": "trino", "password": "trino",
		"token": "tok-8c1d", "keyfile_json": map[string]any{"type": "service_account", "private_key": "pk-77"}}}
	got := tg.Credentials()
	slices.Sort(got)
	if want := []string{"pk-77", "tok-8c1d"}; !slices.Equal(got, want) {
		t.Errorf("Credentials() = %q, want %q", got, want)
	}
}
