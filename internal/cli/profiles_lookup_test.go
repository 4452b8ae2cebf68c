package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snowflakeProject has the layout of a real warehouse monorepo's dbt project: profile
// "snowflake" in profile/profiles.yml, where dbt does not look without --profiles-dir.
func snowflakeProject(t *testing.T, withProfile bool) string {
	files := map[string]string{
		"dbt_project.yml": "name: analytics\nversion: '1.0'\nconfig-version: 2\nprofile: snowflake\n",
		"models/a.sql":    "select id, payload:device::string as device from {{ source('raw', 'events') }}\n",
		"models/src.yml":  "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n",
	}
	if withProfile {
		files["profile/profiles.yml"] = "config:\n  send_anonymous_usage_stats: False\n\nsnowflake:\n  target: prod\n  outputs:\n    prod:\n      type: snowflake\n      account: \"{{ env_var('SNOWFLAKE_ACCOUNT', 'x') }}\"\n      schema: analytics\n      database: prod\n"
	}
	return lintDir(t, files)
}

func parseAdapter(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: testGetenv(nil)},
		append([]string{"parse", "--format", "json"}, args...))
	if code != ExitOK {
		t.Fatalf("parse: exit %d: %s", code, errb.String())
	}
	var m struct {
		Metadata struct {
			Adapter string `json:"adapter_type"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m.Metadata.Adapter, errb.String()
}

// TestProfileInAFolderDbtDoesNotLook: the project is read as Snowflake, and the run says which
// profiles.yml it took and how to name it.
func TestProfileInAFolderDbtDoesNotLook(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := snowflakeProject(t, true)
	adapter, stderr := parseAdapter(t, "--project", dir)
	if adapter != "snowflake" {
		t.Errorf("adapter %q, want snowflake from profile/profiles.yml", adapter)
	}
	want := `dataops: warning: profile "snowflake" is not in a profiles.yml where dbt looks (--profiles-dir, DBT_PROFILES_DIR, the project, ~/.dbt); using profile/profiles.yml (pass --profiles-dir ` + filepath.Join(dir, "profile") + " to say so)\n"
	if !strings.Contains(stderr, want) || strings.Count(stderr, "warning: profile") != 1 {
		t.Errorf("stderr %q, want once %q", stderr, want)
	}
	// Named explicitly, it is no news.
	if adapter, stderr := parseAdapter(t, "--project", dir, "--profiles-dir", filepath.Join(dir, "profile")); adapter != "snowflake" || strings.Contains(stderr, "profile") {
		t.Errorf("--profiles-dir: adapter %q, stderr %q", adapter, stderr)
	}
}

// TestNoProfileIsSaid: without any profile, the run says it reads the SQL as DuckDB's.
func TestNoProfileIsSaid(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := snowflakeProject(t, false)
	adapter, stderr := parseAdapter(t, "--project", dir)
	if adapter != "duckdb" || !strings.Contains(stderr, `dataops: warning: no profiles.yml defines profile "snowflake"`) || !strings.Contains(stderr, "SQL is read as DuckDB's") {
		t.Errorf("adapter %q, stderr %q", adapter, stderr)
	}
	if _, stderr := parseAdapter(t, "--project", dir, "--dialect", "snowflake"); strings.Contains(stderr, "profiles.yml") {
		t.Errorf("--dialect given: stderr %q", stderr)
	}
}

// TestProfileInAFolderTrustBase: with --trust base the profile found in the project's folders
// is read as the base has it.
func TestProfileInAFolderTrustBase(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := snowflakeProject(t, true)
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	os.WriteFile(filepath.Join(dir, "profile", "profiles.yml"), []byte("snowflake:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "models", "a.sql"), []byte("select id from {{ source('raw', 'events') }}\n"), 0o644)
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: testGetenv(nil)},
		[]string{"diff", "--project", dir, "--base", "HEAD", "--trust", "base"})
	if code != ExitOK || !strings.Contains(errb.String(), "using profile/profiles.yml (pass --profiles-dir to say so)") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestAdapterGuessedFromTheRepository: without a profile, the SQL is read as the adapter the
// repository installs, and the run says so; a profile or --dialect says otherwise.
func TestAdapterGuessedFromTheRepository(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := snowflakeProject(t, false)
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("dbt-core==1.8.8\ndbt-snowflake~=1.8\ndbt-duckdb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	adapter, stderr := parseAdapter(t, "--project", dir)
	if adapter != "snowflake" || !strings.Contains(stderr, "SQL is read as snowflake's, the adapter named in requirements.txt") {
		t.Errorf("adapter %q, stderr %q", adapter, stderr)
	}
	if adapter, _ := parseAdapter(t, "--project", dir, "--dialect", "bigquery"); adapter != "bigquery" {
		t.Errorf("--dialect bigquery: adapter %q", adapter)
	}
	var out, errb bytes.Buffer
	if code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: testGetenv(nil)},
		[]string{"parse", "--project", dir}); code != ExitOK || !strings.Contains(out.String(), "adapter snowflake named in requirements.txt; no profile found") {
		t.Errorf("summary: exit %d: %s %s", code, out.String(), errb.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte("snowflake:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      schema: s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if adapter, _ := parseAdapter(t, "--project", dir); adapter != "postgres" {
		t.Errorf("with a profile: adapter %q, want the profile's postgres", adapter)
	}
}

// Without a profile or an adapter the repository installs, the models' SQL says the warehouse
// when three of them use what only one warehouse has; a profile still wins.
func TestAdapterSniffedFromTheModels(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := snowflakeProject(t, false)
	for _, m := range []string{"b", "c", "d"} {
		sql := "select id, to_timestamp_ntz(loaded_at) as loaded_at from {{ source('raw', 'events') }}\n"
		if err := os.WriteFile(filepath.Join(dir, "models", m+".sql"), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	adapter, stderr := parseAdapter(t, "--project", dir)
	if adapter != "snowflake" || !strings.Contains(stderr, "SQL is read as snowflake's, the adapter named in the SQL of 3 models") {
		t.Errorf("adapter %q, stderr %q", adapter, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte("snowflake:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      schema: s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if adapter, _ := parseAdapter(t, "--project", dir); adapter != "postgres" {
		t.Errorf("with a profile: adapter %q, want the profile's postgres", adapter)
	}
}
