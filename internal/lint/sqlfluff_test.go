package lint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCheckSQLFluffConfig(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		override bool   // --library-path none is passed
		want     string // "" = allowed, else "file:line" of the refusal
	}{
		{"plain jinja", map[string]string{".sqlfluff": "[sqlfluff]\ntemplater = jinja\n[sqlfluff:templater:jinja]\nload_macros_from_path = macros\napply_dbt_builtins = True\n", "m/a.sql": "select 1\n"}, false, ""},
		{"library_path", map[string]string{".sqlfluff": "[sqlfluff]\ndialect = ansi\n[sqlfluff:templater:jinja]\nlibrary_path = evil_lib\n", "m/a.sql": "select 1\n"}, false, ".sqlfluff:4"},
		{"library_path overridden", map[string]string{".sqlfluff": "[sqlfluff:templater:jinja]\nlibrary_path = evil_lib\n", "m/a.sql": "select 1\n"}, true, ""},
		{"library_path in DEFAULT", map[string]string{"tox.ini": "[DEFAULT]\nlibrary_path = evil\n[sqlfluff]\ndialect = ansi\n", "m/a.sql": "select 1\n"}, false, "tox.ini:2"},
		{"library_path in a nested folder", map[string]string{"m/sub/setup.cfg": "[sqlfluff:templater:jinja]\n  LIBRARY_PATH=x\n", "m/sub/a.sql": "select 1\n"}, false, filepath.Join("m", "sub", "setup.cfg") + ":2"},
		{"library_path escaped in TOML", map[string]string{"pyproject.toml": "[tool.sqlfluff.templater.jinja]\n\"library\\u005fpath\" = \"evil\"\n", "m/a.sql": "select 1\n"}, false, "pyproject.toml:2"},
		{"python templater", map[string]string{".sqlfluff": "[sqlfluff]\n\ntemplater = python\n", "m/a.sql": "select 1\n"}, true, ".sqlfluff:3"},
		{"dbt templater in TOML", map[string]string{"pyproject.toml": "[tool.sqlfluff.core]\ntemplater = \"dbt\" # run dbt\n", "m/a.sql": "select 1\n"}, true, "pyproject.toml:2"},
		{"placeholder templater", map[string]string{".sqlfluff": "[sqlfluff]\ntemplater = placeholder\n", "m/a.sql": "select 1\n"}, false, ""},
		{"utf-16 encoding", map[string]string{".sqlfluff": "[sqlfluff]\nencoding = utf-16\n", "m/a.sql": "select 1\n"}, false, ".sqlfluff:2"},
		{"inline library_path", map[string]string{"m/a.sql": "select 1\n-- sqlfluff:templater:jinja:library_path:evil_lib\n"}, true, filepath.Join("m", "a.sql") + ":2"},
		{"inline library_path after NEL", map[string]string{"m/a.sql": "select 1 \xc2\x85-- sqlfluff:templater:jinja:library_path:x\n"}, true, filepath.Join("m", "a.sql") + ":2"},
		{"inline templater", map[string]string{"m/a.sql": "-- sqlfluff:templater:python\nselect 1\n"}, true, filepath.Join("m", "a.sql") + ":1"},
		{"inline rule option", map[string]string{"m/a.sql": "-- sqlfluff:rules:LT05:max_line_length:200\nselect 1\n"}, false, ""},
		{"UTF-16 file", map[string]string{"m/a.sql": "\xff\xfe-\x00-\x00"}, false, filepath.Join("m", "a.sql") + ":1"},
		{"NUL in a file of another extension", map[string]string{"m/a.txt": "a\x00b"}, false, ""},
		{"extension from the configuration", map[string]string{".sqlfluff": "[sqlfluff]\nsql_file_exts = .sql,.txt\n", "m/a.txt": "-- sqlfluff:templater:jinja:library_path:x\n"}, true, filepath.Join("m", "a.txt") + ":1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, c := range tc.files {
				write(t, filepath.Join(dir, p), c)
			}
			err := CheckSQLFluffConfig(dir, []string{"m"}, tc.override)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a refusal at %s", err, tc.want)
			}
			if got := ce.Path + ":" + strconv.Itoa(ce.Line); got != tc.want {
				t.Errorf("refused at %s, want %s (%v)", got, tc.want, err)
			}
		})
	}
}

// TestRunSQLFluffLibraryPathOption runs stand-in executables: one whose lint takes
// --library-path gets "--library-path none" and may see a library_path; one without the option
// is never started on such a configuration.
func TestRunSQLFluffLibraryPathOption(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".sqlfluff"), "[sqlfluff:templater:jinja]\nlibrary_path = evil_lib\n")
	write(t, filepath.Join(dir, "a.sql"), "select 1\n")
	args := filepath.Join(dir, "args.txt")
	script := func(help string) string {
		exe := filepath.Join(t.TempDir(), "sqlfluff")
		write(t, exe, "#!/bin/sh\nif [ \"$2\" = --help ]; then echo '"+help+"'; exit 0; fi\necho \"$@\" > "+args+"\necho '[]'\n")
		if err := os.Chmod(exe, 0o755); err != nil {
			t.Fatal(err)
		}
		return exe
	}
	_, err := RunSQLFluff(context.Background(), SQLFluffOptions{Exe: script("  --library-path TEXT  Override the library_path value"), Dir: dir, Paths: []string{"a.sql"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(args)
	if !strings.Contains(string(got), "--library-path none") {
		t.Errorf("arguments %q lack --library-path none", got)
	}
	os.Remove(args)
	_, err = RunSQLFluff(context.Background(), SQLFluffOptions{Exe: script("  --rules TEXT"), Dir: dir, Paths: []string{"a.sql"}}, nil)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Path != ".sqlfluff" || ce.Line != 2 {
		t.Fatalf("got %v, want a refusal at .sqlfluff:2", err)
	}
	if _, err := os.Stat(args); err == nil {
		t.Error("sqlfluff was run on a configuration it would import code from")
	}
}

func TestConfigFileBOM(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".sqlfluff"), "\ufeff[sqlfluff]\ndialect = snowflake\n")
	cfg, err := NewConfigLoader(dir, nil).ForDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Dialect(); got != "snowflake" {
		t.Errorf("dialect %q, want snowflake", got)
	}
}
