package dbt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A generic test's name is read as dbt reads it (the identifier it starts with; a stray
// character after it is dropped), and a name dbt misreads, cannot read or finds no macro for
// is reported at its line, with the known test it most likely meant.
func TestGenericTestNames(t *testing.T) {
	yml := "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests:\n" +
		"          - not_null`\n" + // 7: dbt runs not_null
		"          - not_nul\n" + // 8: no such test
		"          - \"`unique\"\n" + // 9: dbt parse fails
		"          - my_test\n" + // 10: the project's {% test %}
		"          - generic_one\n" + // 11: tests/generic
		"          - dbt_utils.at_least_one\n" + // 12: package not installed: not checked
		"          - accepted_valuez:\n              values: [1]\n" + // 13
		"          - test_name: relationship\n            to: ref('m')\n            field: id\n" + // 15
		"          - dbt.unique\n" + // 18: dbt's own, qualified
		"          - some_test:\n              config: {enabled: false}\n" // 19: disabled, never run
	files := map[string]string{
		"dbt_project.yml":           "name: p\nprofile: none\n",
		"models/m.sql":              "select 1 as id",
		"models/m.yml":              yml,
		"macros/t.sql":              "{% test my_test(model, column_name) %}select 1{% endtest %}",
		"tests/generic/generic.sql": "{% test generic_one(model, column_name) %}select 1{% endtest %}",
	}
	diags := func(p *Project) []string {
		var out []string
		for _, d := range p.Diagnostics {
			if d.Kind == KindTestName || d.Kind == KindUnknownTest {
				out = append(out, fmt.Sprintf("%d:%d %s %s: %s", d.Pos.Line, d.Pos.Column, d.Severity, d.Kind, d.Message))
			}
		}
		slices.Sort(out)
		return out
	}
	p, err := loadDir(t, writeProject(t, files))
	if err != nil {
		t.Fatal(err)
	}
	got := diags(p)
	want := []string{
		`13:13 warning unknown-test: generic test accepted_valuez is not defined (no test_accepted_valuez macro`,
		`15:13 warning unknown-test: generic test relationship is not defined`,
		`7:13 warning test-name: test name "not_null` + "`" + `": dbt reads it as not_null and ignores "` + "`" + `" after it; write not_null`,
		`8:13 warning unknown-test: generic test not_nul is not defined`,
		`9:13 error test-name: test name "` + "`" + `unique" is not one dbt can read`,
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	for i, hint := range map[int]string{0: "did you mean accepted_values?", 1: "did you mean relationships?", 3: "did you mean not_null?", 4: "did you mean unique?"} {
		if !strings.HasSuffix(got[i], hint) {
			t.Errorf("%s: no %q", got[i], hint)
		}
	}
	// The test dbt runs is not_null, named and depending as dbt's.
	found := false
	for _, n := range p.Nodes {
		if n.ResourceType == Test && n.Name == "not_null_m_id" {
			found = true
			if n.TestMeta.Name != "not_null" || !slices.Equal(n.DependsOn.Macros, []string{"macro.dbt.test_not_null"}) {
				t.Errorf("not_null` reads as %+v, depends on %v", n.TestMeta, n.DependsOn.Macros)
			}
		}
	}
	if !found {
		t.Error("no not_null_m_id test for not_null`")
	}

	// With a package declared and not installed, a test it may define is not reported; a
	// misspelt builtin still is.
	files["packages.yml"] = "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - package: calogica/dbt_expectations\n    version: 0.10.0\n"
	files["dbt_packages/dbt_utils/dbt_project.yml"] = "name: dbt_utils\n"
	files["dbt_packages/dbt_utils/macros/t.sql"] = "{% test at_least_one(model, column_name) %}select 1{% endtest %}"
	files["models/m.yml"] = strings.Replace(yml, "          - my_test\n", "          - expect_column_to_exist\n          - dbt_expectations.expect_column_to_exist\n"+
		"          - dbt_utils.at_least_on\n          - dbt_utlis.at_least_one\n", 1)
	p, err = loadDir(t, writeProject(t, files))
	if err != nil {
		t.Fatal(err)
	}
	got = diags(p)
	for _, d := range got {
		if strings.Contains(d, "expect_column_to_exist") || strings.Contains(d, "test dbt_utils.at_least_one ") {
			t.Errorf("reported though its package is not installed: %s", d)
		}
	}
	for _, w := range []string{"not_nul ", "accepted_valuez", "relationship ",
		"dbt_utils.at_least_on is not defined (package dbt_utils defines no test_at_least_on): dbt compile, test and build fail on it; did you mean dbt_utils.at_least_one?",
		"dbt_utlis.at_least_one is not defined (no package dbt_utlis is installed): dbt compile, test and build fail on it; did you mean dbt_utils.at_least_one?"} {
		if !slices.ContainsFunc(got, func(d string) bool { return strings.Contains(d, w) }) {
			t.Errorf("%q not reported:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func TestClosestTest(t *testing.T) {
	known := []string{"accepted_values", "dbt_utils.at_least_one", "at_least_one", "not_null", "relationships", "unique"}
	for name, want := range map[string]string{
		"not_null`":                           "not_null",
		"Not_Null":                            "not_null",
		"notnull":                             "not_null",
		"uniqe":                               "unique",
		"not_null":                            "",
		"at_least_on":                         "at_least_one",
		"dbt_utils.at_least_on":               "dbt_utils.at_least_one",
		"is_positive":                         "",
		"expect_column_values_to_not_be_null": "",
	} {
		if got := closestTest(name, known); got != want {
			t.Errorf("closestTest(%q) = %q, want %q", name, got, want)
		}
	}
}
