package schema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func TestDbtVersion(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		explicit string
		require  []string
		want     string
		source   string
	}{
		{"1.7", []string{">=1.9.0"}, "1.7.0", "--dbt-version"},
		{"", []string{">=1.5.0", "<2.0.0"}, "1.5.0", "require-dbt-version"},
		{"", []string{">=1.3.0,<2.0.0"}, "1.3.0", "require-dbt-version"},
		{"", []string{">1.7.0"}, "1.7.1", "require-dbt-version"},
		{"", []string{"1.10.5"}, "1.10.5", "require-dbt-version"},
		{"", []string{"<2.0.0"}, "0.0.0", ""},
	}
	for _, c := range cases {
		v, src := DbtVersion(c.explicit, c.require, dir)
		if v.String() != c.want || src != c.source {
			t.Errorf("DbtVersion(%q, %v) = %s from %q, want %s from %q", c.explicit, c.require, v, src, c.want, c.source)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "target"), 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "dbt_version": "1.9.4", "env": {"a": "b"}}, "nodes": {}}`
	if err := os.WriteFile(filepath.Join(dir, "target", "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, src := DbtVersion("", nil, dir); v.String() != "1.9.4" || src != "target/manifest.json" {
		t.Errorf("manifest version = %s from %q", v, src)
	}
}

func TestFormsFor(t *testing.T) {
	cases := map[string]Forms{
		"1.7.3":  {TestsKey: "tests"},
		"1.8.0":  {TestsKey: "data_tests"},
		"1.10.0": {TestsKey: "data_tests", ConfigMetaTags: true},
		"1.10.5": {TestsKey: "data_tests", ConfigMetaTags: true, TestArguments: true},
		"2.0.0":  {TestsKey: "data_tests", ConfigMetaTags: true, TestArguments: true},
	}
	for s, want := range cases {
		v, _ := ParseVersion(s)
		if got := FormsFor(v); got != want {
			t.Errorf("FormsFor(%s) = %+v, want %+v", s, got, want)
		}
	}
	if got := FormsFor(Version{}); got.TestsKey != "data_tests" || got.TestArguments {
		t.Errorf("unknown version forms = %+v", got)
	}
}

func TestFollowFile(t *testing.T) {
	v110 := FormsFor(Version{1, 10, 5})
	old := "models:\n  - name: a\n    columns:\n      - name: s\n        tests:\n          - accepted_values:\n              values: [x]\n"
	if got := FollowFile(v110, old); got.TestsKey != "tests" || got.TestArguments {
		t.Errorf("follow old file = %+v", got)
	}
	nested := "models:\n  - name: a\n    columns:\n      - name: s\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: [x]\n"
	if got := FollowFile(FormsFor(Version{1, 7, 0}), nested); got.TestsKey != "data_tests" || !got.TestArguments {
		t.Errorf("follow nested file = %+v", got)
	}
	if got := FollowFile(v110, "models:\n  - name: a\n"); got != v110 {
		t.Errorf("a file with no tests changed the forms: %+v", got)
	}
}

// A project whose tests mostly nest their arguments gets new tests nested too, even in a file
// that has none to copy and under a dbt version that does not require it; a split project
// follows its version; dbt's require_generic_test_arguments_property flag decides alone; a
// version the user states wins over habit.
func TestProjectForms(t *testing.T) {
	nested := `version: 2
models:
  - name: a
    columns:
      - name: s
        tests:
          - accepted_values:
              arguments:
                values: [x, y]
          - relationships:
              arguments: {to: ref('b'), field: id}
      - name: t
        tests:
          - accepted_values:
              arguments:
                values: [u]
`
	inline := `version: 2
models:
  - name: b
    columns:
      - name: id
        tests:
          - accepted_values:
              values: [1, 2]
`
	base := map[string]string{
		"models/a.sql": "select 1 as s, 2 as t\n",
		"models/b.sql": "select 1 as id\n",
		"models/c.sql": "select 1 as k\n",
		"models/c.yml": "version: 2\nmodels:\n  - name: c\n    columns:\n      - name: k\n",
	}
	load := func(files map[string]string) *dbt.Project {
		all := map[string]string{}
		for k, v := range base {
			all[k] = v
		}
		for k, v := range files {
			all[k] = v
		}
		return loadFixture(t, all)
	}
	v18 := Version{1, 8, 0}
	if f := ProjectForms(load(map[string]string{"models/a.yml": nested, "models/b.yml": inline}), v18, "require-dbt-version"); !f.TestArguments || f.TestsKey != "data_tests" {
		t.Errorf("nested habit: %+v, want nested arguments, and data_tests (no clear habit: the version decides)", f)
	}
	if f := ProjectForms(load(map[string]string{"models/a.yml": nested, "models/b.yml": inline}), v18, "--dbt-version"); f.TestArguments {
		t.Errorf("stated 1.8.0: %+v, want arguments inline", f)
	}
	split := inline + "      - name: id2\n        tests:\n          - accepted_values:\n              values: [3]\n"
	if f := ProjectForms(load(map[string]string{"models/a.yml": nested, "models/b.yml": split}), v18, "require-dbt-version"); f.TestArguments {
		t.Errorf("split habit on dbt 1.8: %+v, want the version's inline arguments", f)
	}
	flag := fixture["dbt_project.yml"] + "flags:\n  require_generic_test_arguments_property: true\n"
	if f := ProjectForms(load(map[string]string{"dbt_project.yml": flag, "models/b.yml": inline}), v18, "require-dbt-version"); !f.TestArguments {
		t.Errorf("require_generic_test_arguments_property: %+v, want nested arguments", f)
	}
}
