package dbt

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePropertyFileAlone(t *testing.T) {
	src := `version: 2
models:
  - name: orders
    description: '{{ doc("orders") }}'
    data_tests:
      - dbt_utils.unique_combination_of_columns:
          arguments:
            combination_of_columns: [order_id, line]
    columns:
      - name: order_id
        description: Primary key.
        data_type: integer
        tests:
          - unique
          - not_null
    versions:
      - v: 2
        columns:
          - include: all
          - name: channel
            description: Where it was placed.
sources:
  - name: raw
    tables:
      - name: orders
        description: Raw orders.
        columns:
          - name: id
            data_tests:
              - accepted_values:
                  values: [a, b]
                  severity: warn
`
	decls, err := ParsePropertyFile("models/_orders.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(decls) != 2 {
		t.Fatalf("got %d declarations", len(decls))
	}
	o := decls[0]
	if o.Key != "models" || o.Name != "orders" || o.Pos.Line != 3 || o.Description != `{{ doc("orders") }}` {
		t.Errorf("model: %+v", o)
	}
	if len(o.Tests) != 1 || o.Tests[0].Namespace != "dbt_utils" || o.Tests[0].Pos.Line != 6 {
		t.Errorf("model tests: %+v", o.Tests)
	}
	if len(o.Columns) != 2 || o.Columns[0].Name != "order_id" || o.Columns[0].Pos.Line != 10 || len(o.Columns[0].Tests) != 2 ||
		o.Columns[0].DataType != "integer" || o.Columns[1].Name != "channel" {
		t.Errorf("columns (a version's own included): %+v", o.Columns)
	}
	s := decls[1]
	if s.Key != "sources" || s.Name != "raw.orders" || s.Description != "Raw orders." || len(s.Columns) != 1 {
		t.Fatalf("source table: %+v", s)
	}
	if tst := s.Columns[0].Tests[0]; tst.Name != "accepted_values" || tst.Config["severity"] != "warn" || tst.Args["values"] == nil {
		t.Errorf("source test: %+v", tst)
	}

	_, err = ParsePropertyFile("models/bad.yml", []byte("models:\n  - name: x\n    columns: nope\n"))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Pos.Line != 3 || ie.Pos.Path != "models/bad.yml" {
		t.Errorf("shape error: %v", err)
	}
}

func TestDocsBlocksAndCalls(t *testing.T) {
	md := "intro\n\n{% docs orders %}\nOne row per order.\n{% enddocs %}\n\n{%- docs status -%}\nWhere it is.\n{%- enddocs -%}\n"
	bs := DocsBlocks([]byte(md))
	if len(bs) != 2 || bs[0].Name != "orders" || bs[0].Line != 3 || bs[0].Content != "One row per order." || bs[1].Line != 7 {
		t.Errorf("blocks: %+v", bs)
	}
	desc := `See {{ doc("orders") }} and {{ doc('pkg', 'status') }} and {{ doc("missing") }}.`
	if got := DocCalls(desc); strings.Join(got, ",") != "orders,status,missing" {
		t.Errorf("calls: %v", got)
	}
	got := ReplaceDocCalls(desc, func(n string) (string, bool) {
		for _, b := range bs {
			if b.Name == n {
				return b.Content, true
			}
		}
		return "", false
	})
	if got != `See One row per order. and Where it is. and {{ doc("missing") }}.` {
		t.Errorf("replaced: %q", got)
	}
}
