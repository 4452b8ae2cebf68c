package warehouse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const profilesYML = `shop:
  target: "{{ env_var('SHOP_TARGET', 'dev') }}"
  outputs:
    dev:
      type: duckdb
      path: data/shop.duckdb
      schema: analytics
      threads: 8
      extensions: [json, spatial]
    pg:
      type: postgres
      host: "{{ env_var('PGHOST') }}"
      port: "{{ env_var('PGPORT', 5433) | as_number }}"
      user: me
      password: "{{ env_var('PGPASS') }}"
      dbname: shopdb
      schema: dbt_me
      sslmode: disable
    snow:
      type: snowflake
      account: x
`

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// resolve is what the commands do: dbt resolves the project's profile "shop", the warehouse
// turns it into a connection.
func resolve(o dbt.ProfileOptions, projectContent bool) (*Target, error) {
	o.Profile = "shop"
	if o.Home == "" {
		o.Home = filepath.Join(o.ProjectDir, "no-home")
	}
	t, err := dbt.ResolveTarget(o)
	if err != nil {
		return nil, err
	}
	return TargetFor(t, o.ProjectDir, projectContent)
}

// errLine is the line an error about profiles.yml names, from dbt or from the warehouse.
func errLine(err error) int {
	var ie *dbt.InputError
	if errors.As(err, &ie) {
		return ie.Pos.Line
	}
	var te *TargetError
	if errors.As(err, &te) {
		return te.Line
	}
	return -1
}

func TestTargetForDuckDB(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n")
	write(t, filepath.Join(dir, "profiles.yml"), profilesYML)
	tg, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(nil)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Type != "duckdb" || tg.Name != "dev" || tg.Schema != "analytics" || tg.Threads != 8 ||
		tg.Path != filepath.Join(dir, "data/shop.duckdb") || tg.Database != "shop" {
		t.Fatalf("target = %+v", tg)
	}
	if len(tg.Warnings) != 1 || !strings.Contains(tg.Warnings[0], "spatial") {
		t.Fatalf("warnings = %v", tg.Warnings)
	}
}

func TestTargetForPostgresEnv(t *testing.T) {
	dir, pdir := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n")
	write(t, filepath.Join(pdir, "profiles.yml"), profilesYML)
	tg, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(map[string]string{"DBT_PROFILES_DIR": pdir, "SHOP_TARGET": "pg", "PGHOST": "h", "PGPASS": "s"})}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Type != "postgres" || tg.Host != "h" || tg.Port != 5433 || tg.Password != "s" || tg.DBName != "shopdb" || tg.Schema != "dbt_me" {
		t.Fatalf("target = %+v", tg)
	}
	// A missing variable without default is an error at its line.
	_, err = resolve(dbt.ProfileOptions{ProjectDir: dir, ProfilesDir: pdir, Target: "pg", Getenv: env(map[string]string{"PGPASS": "s"})}, false)
	if errLine(err) != 12 || !strings.Contains(err.Error(), "PGHOST") {
		t.Fatalf("err = %v, want PGHOST unset at line 12", err)
	}
}

func TestTargetForUnsupported(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n")
	write(t, filepath.Join(dir, "profiles.yml"), profilesYML)
	_, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Target: "snow", Getenv: env(nil)}, false)
	if errLine(err) != 20 {
		t.Fatalf("err = %v, want an error at line 20", err)
	}
	for _, want := range []string{`"snowflake"`, "duckdb and postgres", "--target dev", DefaultDuckDBPath} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestTargetForDefault(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dbt_project.yml"), "name: shop\n")
	tg, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(nil)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Type != "duckdb" || tg.Schema != "main" || tg.Path != filepath.Join(dir, DefaultDuckDBPath) {
		t.Fatalf("default = %+v", tg)
	}
	// ~/.dbt/profiles.yml without this project's profile falls back too.
	home := t.TempDir()
	write(t, filepath.Join(home, ".dbt", "profiles.yml"), "other:\n  target: x\n  outputs: {x: {type: snowflake}}\n")
	if tg, err := resolve(dbt.ProfileOptions{ProjectDir: dir, Getenv: env(nil), Home: home}, false); err != nil || tg.Type != "duckdb" {
		t.Fatalf("fallback = %+v %v", tg, err)
	}
	// An explicit --profiles-dir without the file is an error.
	if _, err := resolve(dbt.ProfileOptions{ProjectDir: dir, ProfilesDir: t.TempDir(), Getenv: env(nil)}, false); err == nil {
		t.Fatal("missing --profiles-dir file accepted")
	}
}

func TestInferSeed(t *testing.T) {
	s, err := InferSeed(Seed{Path: "x.csv", Data: []byte("a,b,c,d,e,f,g\n1,1.5,2020-01-01,2020-01-01 10:00,true,x,3000000000\n,2,,2020-01-02,FALSE,,-1\n")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ty := range s.Types {
		got = append(got, ty.String())
	}
	want := "integer numeric date timestamp boolean text bigint"
	if strings.Join(got, " ") != want || s.Rows != 2 {
		t.Fatalf("types = %v rows %d, want %s", got, s.Rows, want)
	}
	if s, err := InferSeed(Seed{Path: "x.csv", Data: []byte("x,,y\n1,2,3\n")}); err != nil || strings.Join(s.Columns, " ") != "x b y" {
		t.Fatalf("blank header: %v %v", s, err)
	}
	if _, err := InferSeed(Seed{Path: "x.csv", Data: []byte("a,a\n1,2\n")}); err == nil {
		t.Fatal("duplicate header accepted")
	}
	if _, err := InferSeed(Seed{Path: "x.csv", Data: []byte("")}); err == nil {
		t.Fatal("empty seed accepted")
	}
}

func TestCellTypes(t *testing.T) {
	for _, c := range []struct {
		in                         string
		integer, numeric, date, ts bool
	}{
		{"12", true, true, false, false}, {"-3", true, true, false, false}, {"+0", true, true, false, false},
		{"1.5", false, true, false, false}, {".5", false, true, false, false}, {"5.", false, true, false, false},
		{"1e5", false, true, false, false}, {"1.2E-3", false, true, false, false}, {"e5", false, false, false, false},
		{"1e", false, false, false, false}, {"-", false, false, false, false}, {".", false, false, false, false},
		{"1,000", false, false, false, false}, {"2024-01-31", false, false, true, false},
		{"2024-1-31", false, false, false, false}, {"2024-01-31 10:00", false, false, false, true},
		{"2024-01-31T10:00:59", false, false, false, true}, {"2024-01-31 10:00:59.123456", false, false, false, true},
		{"2024-01-31T10:00:00Z", false, false, false, true}, {"2024-01-31 10:00:00+02:00", false, false, false, true},
		{"2024-01-31 10:00:00-0500", false, false, false, true}, {"2024-01-31 10:00:00+02", false, false, false, true},
		{"2024-01-31 10:00:", false, false, false, false}, {"2024-01-31 10:00:00.", false, false, false, false},
		{"2024-01-31 10:00:00 UTC", false, false, false, false}, {"2024-01-31X10:00", false, false, false, false},
	} {
		if isInteger(c.in) != c.integer || isNumeric(c.in) != c.numeric || isDate(c.in) != c.date || isTimestamp(c.in) != c.ts {
			t.Errorf("%q: integer %v numeric %v date %v timestamp %v", c.in, isInteger(c.in), isNumeric(c.in), isDate(c.in), isTimestamp(c.in))
		}
	}
}
