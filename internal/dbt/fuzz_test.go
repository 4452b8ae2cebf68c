package dbt

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
)

func relationOf(db, schema, id string) jinja.Relation {
	return jinja.Relation{Database: db, Schema: schema, Identifier: id}
}

// FuzzParseProperties feeds arbitrary bytes to the property-file reader: it must return a
// result or an *InputError, never panic.
func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{
		"version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique, not_null]\n",
		"sources:\n  - name: raw\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests:\n              - accepted_values:\n                  arguments:\n                    values: [1, 2]\n",
		"models:\n  - name: m\n    versions:\n      - v: 1\n        columns:\n          - include: all\n            exclude: [x]\n",
		"base: &b\n  name: x\nmodels:\n  - <<: *b\n    description: y\n",
		"exposures:\n  - name: e\n    depends_on: [\"ref('a')\"]\n",
		"models: {}\n", "- 1\n- 2\n", "{", "models:\n  - name: [\n", "",
	} {
		f.Add([]byte(s))
	}
	ps := &pkgState{pkg: &Package{Name: "p", IsRoot: true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := &srcFile{pkg: ps, kind: fileYAML, rel: "models/s.yml", rootRel: "models/s.yml", data: data}
		pr, err := parseProperties(file)
		if err == nil && pr == nil {
			t.Fatal("nil result without error")
		}
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T is not an *InputError: %v", err, err)
			}
		}
	})
}
