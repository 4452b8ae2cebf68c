package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsWithoutFile(t *testing.T) {
	c, err := Load(Options{Dir: t.TempDir(), Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "" {
		t.Errorf("Path = %q, want empty", c.Path)
	}
	if c.Warehouse.Threads != 4 || c.Review.FailOn != "error" || c.Tests.MinConfidence != 0 || !c.Tests.Verify {
		t.Errorf("defaults not applied: %+v", c)
	}
	want := []string{"not_null", "unique", "accepted_values", "relationships"}
	if !reflect.DeepEqual(c.Tests.Types, want) {
		t.Errorf("Tests.Types = %v, want %v", c.Tests.Types, want)
	}
}

func TestFileOverridesDefaultsAndEnvOverridesFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "warehouse:\n  type: postgres\n  threads: 8\nlint:\n  dialect: snowflake\n  exclude: [LT05]\n")
	c, err := Load(Options{Dir: dir, Getenv: env(map[string]string{
		"DATAOPS_WAREHOUSE_THREADS": "2",
		"DATAOPS_TESTS_TYPES":       "unique, not_null",
		"DATAOPS_REVIEW_FAIL_ON":    "warning",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Warehouse.Type != "postgres" || c.Lint.Dialect != "snowflake" || !reflect.DeepEqual(c.Lint.Exclude, []string{"LT05"}) {
		t.Errorf("file values not read: %+v", c)
	}
	if c.Warehouse.Threads != 2 {
		t.Errorf("env did not override the file: threads = %d", c.Warehouse.Threads)
	}
	if !reflect.DeepEqual(c.Tests.Types, []string{"unique", "not_null"}) || c.Review.FailOn != "warning" {
		t.Errorf("env not applied: %+v %+v", c.Tests, c.Review)
	}
	if c.Path != filepath.Join(dir, FileName) {
		t.Errorf("Path = %q", c.Path)
	}
}

func TestUnknownKeyNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, FileName, "lint:\n  dialect: postgres\n  max_line_lenght: 100\n")
	_, err := Load(Options{Dir: dir, Getenv: env(nil)})
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if ce.Path != p || ce.Line != 3 {
		t.Errorf("error at %s:%d, want %s:3 (%v)", ce.Path, ce.Line, p, err)
	}
	if !strings.Contains(err.Error(), "max_line_lenght") {
		t.Errorf("message does not name the key: %v", err)
	}
}

func TestUnknownSectionIsAnError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "warehouse:\n  type: duckdb\nwarehose: {}\n")
	_, err := Load(Options{Dir: dir, Getenv: env(nil)})
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 3 {
		t.Fatalf("err = %v, want an error at line 3", err)
	}
}

func TestWrongTypeAndBadYAML(t *testing.T) {
	for _, tc := range []struct {
		body string
		line int
	}{
		{"warehouse:\n  threads: many\n", 2},
		{"warehouse:\n  type: [duckdb\n", 2},
	} {
		dir := t.TempDir()
		write(t, dir, FileName, tc.body)
		_, err := Load(Options{Dir: dir, Getenv: env(nil)})
		var ce *Error
		if !errors.As(err, &ce) || ce.Line == 0 {
			t.Errorf("%q: err = %v, want a positioned *Error", tc.body, err)
		}
	}
}

func TestInvalidChoice(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "review:\n  fail_on: sometimes\n")
	_, err := Load(Options{Dir: dir, Getenv: env(nil)})
	if err == nil || !strings.Contains(err.Error(), "review.fail_on") {
		t.Fatalf("err = %v, want review.fail_on rejected", err)
	}
	_, err = Load(Options{Dir: t.TempDir(), Getenv: env(map[string]string{"DATAOPS_TESTS_MIN_CONFIDENCE": "2"})})
	if err == nil || !strings.Contains(err.Error(), "min_confidence") {
		t.Fatalf("err = %v, want min_confidence rejected", err)
	}
}

func TestBadEnvValueNamesVariable(t *testing.T) {
	_, err := Load(Options{Dir: t.TempDir(), Getenv: env(map[string]string{"DATAOPS_TESTS_VERIFY": "maybe"})})
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != "DATAOPS_TESTS_VERIFY" {
		t.Fatalf("err = %v, want an error naming DATAOPS_TESTS_VERIFY", err)
	}
}

func TestExplicitPathMustExist(t *testing.T) {
	_, err := Load(Options{Path: filepath.Join(t.TempDir(), "missing.yml"), Getenv: env(nil)})
	if err == nil || !strings.Contains(err.Error(), "no such settings file") {
		t.Fatalf("err = %v", err)
	}
	dir := t.TempDir()
	p := write(t, dir, "custom.yml", "schema:\n  tests_key: tests\n")
	c, err := Load(Options{Dir: t.TempDir(), Path: p, Getenv: env(nil)})
	if err != nil || c.Schema.TestsKey != "tests" {
		t.Fatalf("c = %+v, err = %v", c, err)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "# nothing yet\n")
	c, err := Load(Options{Dir: dir, Getenv: env(nil)})
	if err != nil || c.Schema.TestsKey != "data_tests" {
		t.Fatalf("c = %+v, err = %v", c, err)
	}
}

func TestSecuritySection(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "security:\n  env_vars: [SHOP_REGION, \"SHOP_*\"]\n  dbt_env: true\n  secrets:\n    - VAULT_*\n")
	c, err := Load(Options{Dir: dir, Getenv: env(map[string]string{"DATAOPS_SECURITY_SECRETS": "A_TOKEN, VAULT_*"})})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Security.EnvVars, []string{"SHOP_REGION", "SHOP_*"}) || !c.Security.DbtEnv {
		t.Errorf("security = %+v", c.Security)
	}
	if !reflect.DeepEqual(c.Security.Secrets, []string{"A_TOKEN", "VAULT_*"}) {
		t.Errorf("DATAOPS_SECURITY_SECRETS not applied: %+v", c.Security.Secrets)
	}
	if d := Default(); d.Security.DbtEnv || len(d.Security.EnvVars) != 0 {
		t.Errorf("by default project code reads no env var: %+v", d.Security)
	}
}

func TestSecurityBadValuesAreLocated(t *testing.T) {
	for _, tc := range []struct {
		body      string
		line, col int
		msg       string
	}{
		{"security:\n  env_vars:\n    - SHOP_REGION\n    - DBT_ENV_SECRET_GIT\n", 4, 7, "security.env_vars[1]: \"DBT_ENV_SECRET_GIT\": DBT_ENV_SECRET_* variables are secrets"},
		{"security:\n  env_vars: [OK, \"*\"]\n", 2, 18, `security.env_vars[1]: "*" would allow every variable`},
		{"security:\n  env_vars: [\"SHOP_*_X\"]\n", 2, 14, `"SHOP_*_X" is not an environment variable name`},
		{"# secrets\nsecurity:\n  secrets: [GOOD, \"bad name\"]\n", 3, 19, `security.secrets[1]: "bad name"`},
	} {
		dir := t.TempDir()
		p := write(t, dir, FileName, tc.body)
		_, err := Load(Options{Dir: dir, Getenv: env(nil)})
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: err = %v, want *Error", tc.body, err)
			continue
		}
		if ce.Path != p || ce.Line != tc.line || ce.Column != tc.col || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: got %v, want %s:%d:%d: ...%s...", tc.body, err, p, tc.line, tc.col, tc.msg)
		}
	}
	// A bad value from the environment names no line of the file.
	dir := t.TempDir()
	write(t, dir, FileName, "security:\n  env_vars: [A]\n")
	_, err := Load(Options{Dir: dir, Getenv: env(map[string]string{"DATAOPS_SECURITY_ENV_VARS": "DBT_ENV_SECRET_X"})})
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 0 || !strings.Contains(err.Error(), "DBT_ENV_SECRET_X") {
		t.Errorf("err = %v", err)
	}
}

// TestReadFileSource: settings taken from another version of the project never read the
// directory's own file, and a missing one there means defaults.
func TestReadFileSource(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, FileName, "schema:\n  new_file: ../../outside/{dir}.yml\n")
	base := map[string]string{".dataops.yaml": "\ufeffschema:\n  new_file: _{dir}__models.yml\nreview:\n  fail_on: warning\n"}
	read := func(name string) ([]byte, error) {
		if s, ok := base[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	c, err := Load(Options{Dir: dir, Getenv: env(nil), ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	if c.Schema.NewFile != "_{dir}__models.yml" || c.Review.FailOn != "warning" || c.Path != filepath.Join(dir, ".dataops.yaml") {
		t.Errorf("got new_file %q, fail_on %q from %q", c.Schema.NewFile, c.Review.FailOn, c.Path)
	}
	delete(base, ".dataops.yaml")
	c, err = Load(Options{Dir: dir, Getenv: env(nil), ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "" || c.Schema.NewFile != Default().Schema.NewFile {
		t.Errorf("the directory's own file was read: %q from %q", c.Schema.NewFile, c.Path)
	}
	base[FileName] = "schema:\n  bogus: 1\n"
	var ce *Error
	if _, err := Load(Options{Dir: dir, Getenv: env(nil), ReadFile: read}); !errors.As(err, &ce) || ce.Line != 2 {
		t.Errorf("bad file: %v", err)
	}
}
