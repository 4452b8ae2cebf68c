package schema

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestValidatePropertyFile(t *testing.T) {
	data, err := os.ReadFile("testdata/validate/bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range ValidatePropertyFile("models/bad.yml", data) {
		if f.Path != "models/bad.yml" || f.Line == 0 || f.Column == 0 || f.Agent != "schema" {
			t.Errorf("finding without a full position: %+v", f)
		}
		got = append(got, fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.Severity, f.Rule))
	}
	want := []string{
		"3:1 warning property-unknown-key",
		"8:5 warning property-unknown-key",
		"10:5 warning yaml-duplicate-key",
		"11:13 error property-wrong-type",
		"16:9 error property-wrong-type",
		"17:9 warning property-duplicate-entry",
		"18:9 error property-missing-name",
		"20:16 error property-wrong-type",
		"21:20 error property-wrong-type",
		"23:30 error property-wrong-type",
		"24:13 error property-wrong-type",
		"25:9 error property-wrong-type",
		"26:5 error property-duplicate-entry",
		"27:11 error property-wrong-type",
		"28:14 error property-wrong-type",
		"35:9 error property-missing-name",
		"41:9 warning property-unknown-key",
		"42:9 error property-duplicate-entry",
		"44:8 error property-wrong-type",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestValidateGoodAndBroken(t *testing.T) {
	good := "version: 2\r\n\r\ndefaults: &d\r\n  config: {materialized: table}\r\n"
	good = "version: 2\nmodels:\n  - name: a\n    description: |\n      text\n    config: {materialized: table}\n    tags: [x]\n    columns:\n      - name: id\n        data_type: int\n        quote: true\n        data_tests:\n          - unique\n          - accepted_values:\n              arguments:\n                values: [1, 2]\n          - name: custom\n            test_name: not_null\n"
	if fs := ValidatePropertyFile("g.yml", []byte(good)); len(fs) != 0 {
		t.Errorf("good file has findings: %+v", fs)
	}
	fs := ValidatePropertyFile("b.yml", []byte("models:\n  - name: [\n"))
	if len(fs) != 1 || fs[0].Rule != RuleYAMLSyntax || fs[0].Line == 0 {
		t.Errorf("syntax error: %+v", fs)
	}
	fs = ValidatePropertyFile("v.yml", []byte("version: 3\r\nmodels:\r\n  - name: a\r\n    colums: []\r\n"))
	if len(fs) != 2 || fs[0].Rule != RuleVersion || fs[1].Line != 4 || fs[1].Column != 5 {
		t.Errorf("CRLF file positions: %+v", fs)
	}
	if fs := ValidatePropertyFile("e.yml", nil); len(fs) != 0 {
		t.Errorf("empty file: %+v", fs)
	}
	if fs := ValidatePropertyFile("l.yml", []byte("- a\n")); len(fs) != 1 || fs[0].Rule != RuleWrongType {
		t.Errorf("top-level list: %+v", fs)
	}
}

// Test names are checked as dbt reads them: a stray character after the name is dropped by dbt
// (a warning: the file says something dbt does not run), a name that does not start with an
// identifier is refused (an error). In each of the three forms a test is written.
func TestValidateTestNames(t *testing.T) {
	yml := "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n" +
		"          - not_null`\n" +
		"          - \"`unique\"\n" +
		"          - \"accepted_values \":\n              values: [1]\n" +
		"          - test_name: \"relationships'\"\n            to: ref('b')\n            field: id\n" +
		"          - dbt_utils.at_least_one\n          - not_null\n"
	var got []string
	for _, f := range ValidatePropertyFile("m.yml", []byte(yml)) {
		got = append(got, fmt.Sprintf("%d:%d %s %s %s", f.Line, f.Column, f.Severity, f.Rule, f.Message))
	}
	want := []string{
		"6:13 warning property-test-name test name \"not_null`\": dbt reads it as not_null and ignores \"`\" after it; write not_null",
		"7:13 error property-test-name test name \"`unique\" is not one dbt can read (it wants [package.]name, of letters, digits and underscores)",
		"8:13 warning property-test-name test name \"accepted_values \": dbt reads it as accepted_values and ignores \" \" after it; write accepted_values",
		"10:24 warning property-test-name test name \"relationships'\": dbt reads it as relationships and ignores \"'\" after it; write relationships",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
