package yamledit

import (
	"errors"
	"strings"
	"testing"
)

// edit loads src, runs fn on a plan and applies it.
func edit(t *testing.T, src string, fn func(p *Plan) error) string {
	t.Helper()
	f, err := Load("models/x.yml", []byte(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	p := f.Plan()
	if err := fn(p); err != nil {
		t.Fatalf("plan: %v", err)
	}
	out, err := p.Apply()
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return string(out)
}

func TestEdits(t *testing.T) {
	orders := ModelRef("orders")
	cases := []struct {
		name, src, want string
		fn              func(p *Plan) error
	}{
		{
			name: "insert column in SQL order, indented list",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n",
			fn: func(p *Plan) error {
				return p.AddColumn(orders, 1, Column{Name: "status", Description: "Order status"})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: status\n        description: Order status\n      - name: amount\n",
		},
		{
			name: "a description holding double quotes and no single one is single-quoted, not escaped",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n",
			fn: func(p *Plan) error {
				return p.AddColumn(orders, -1, Column{Name: "ntd_id", Description: `{{ doc("ntd_id") }}`})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: ntd_id\n        description: '{{ doc(\"ntd_id\") }}'\n",
		},
		{
			name: "append column, flush list, tests nested flush too",
			src:  "models:\n- name: orders\n  columns:\n  - name: id\n    tests:\n    - unique\n",
			fn: func(p *Plan) error {
				return p.AddColumn(orders, -1, Column{Name: "amount", Tests: []Test{{Name: "not_null"}}})
			},
			want: "models:\n- name: orders\n  columns:\n  - name: id\n    tests:\n    - unique\n  - name: amount\n    tests:\n    - not_null\n",
		},
		{
			name: "a blank line and a comment that open a group of columns stay above that group",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n\n      # customer\n      - name: customer_id\n      - name: customer_name\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, 2, Column{Name: "currency"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n      - name: currency\n\n      # customer\n      - name: customer_id\n      - name: customer_name\n",
		},
		{
			name: "neighbouring entries removed together keep one blank line between those left",
			src:  "models:\n  - name: a\n    columns:\n      - name: x\n\n  - name: b\n\n  - name: c\n\n  - name: d\n\n  - name: e\n",
			fn: func(p *Plan) error {
				for _, m := range []string{"b", "a", "c", "d"} {
					if m == "c" {
						continue
					}
					if err := p.RemoveModel(m); err != nil {
						return err
					}
				}
				return nil
			},
			want: "models:\n  - name: c\n\n  - name: e\n",
		},
		{
			name: "a blank line alone between groups: the new column joins the group above",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n\n      - name: customer_id\n      - name: customer_name\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, 2, Column{Name: "currency"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n      - name: currency\n\n      - name: customer_id\n      - name: customer_name\n",
		},
		{
			name: "blank lines between entries are kept as the file's habit",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n\n      - name: amount\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, -1, Column{Name: "status"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n\n      - name: amount\n\n      - name: status\n",
		},
		{
			name: "renamed entry: later edits to it read back under its new name",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n",
			fn: func(p *Plan) error {
				if err := p.SetField(orders, "name", "orders_v2"); err != nil {
					return err
				}
				if err := p.AddColumn(orders, 1, Column{Name: "status"}); err != nil {
					return err
				}
				if err := p.RenameColumn(orders, "amount", "total"); err != nil {
					return err
				}
				if err := p.SetColumnDescription(orders, "amount", "Order total"); err != nil {
					return err
				}
				if err := p.RemoveColumn(orders, "id"); err != nil {
					return err
				}
				return p.SetDescription(orders, "Orders, second version")
			},
			want: "models:\n  - name: orders_v2\n    description: Orders, second version\n    columns:\n      - name: status\n      - name: total\n        description: Order total\n",
		},
		{
			name: "file without a final newline: appended items get one newline, not one each",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n        tags: [\"PII\"]",
			fn: func(p *Plan) error {
				for _, c := range []string{"a", "b", "c"} {
					if err := p.AddColumn(orders, -1, Column{Name: c}); err != nil {
						return err
					}
				}
				return p.AddModel(Model{Name: "customers"})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n        tags: [\"PII\"]\n      - name: a\n      - name: b\n      - name: c\n  - name: customers\n",
		},
		{
			name: "file without a final newline ending in a key with no value",
			src:  "models:\n  - name: orders\n    columns:",
			fn: func(p *Plan) error {
				if err := p.AddColumn(orders, -1, Column{Name: "a"}); err != nil {
					return err
				}
				return p.AddColumn(orders, -1, Column{Name: "b"})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: a\n      - name: b\n",
		},
		{
			name: "CRLF file gets CRLF lines",
			src:  "models:\r\n  - name: orders\r\n    columns:\r\n      - name: id\r\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, -1, Column{Name: "amount", DataType: "int"}) },
			want: "models:\r\n  - name: orders\r\n    columns:\r\n      - name: id\r\n      - name: amount\r\n        data_type: int\r\n",
		},
		{
			name: "a byte order mark stays, and the first key is read without it",
			src:  "\ufeffmodels:\r\n  - name: orders\r\n    columns:\r\n      - name: id\r\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, 0, Column{Name: "amount"}) },
			want: "\ufeffmodels:\r\n  - name: orders\r\n    columns:\r\n      - name: amount\r\n      - name: id\r\n",
		},
		{
			name: "flow test list stays flow",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [unique]\n",
			fn:   func(p *Plan) error { return p.AddTest(orders, "id", Test{Name: "not_null"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [unique, not_null]\n",
		},
		{
			name: "test arguments under arguments: for dbt 1.10.5+",
			src:  "models:\n  - name: orders\n    columns:\n      - name: status\n",
			fn: func(p *Plan) error {
				p.Style = p.Style.ForDbtVersion("1.10.5")
				return p.AddTest(orders, "status", Test{Name: "accepted_values", Args: []KV{{"values", []string{"placed", "shipped"}}}, Config: []KV{{"severity", "warn"}}})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: status\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: [placed, shipped]\n              config:\n                severity: warn\n",
		},
		{
			name: "inline test arguments and tests key before dbt 1.8",
			src:  "models:\n  - name: orders\n    columns:\n      - name: status\n",
			fn: func(p *Plan) error {
				p.Style = p.Style.ForDbtVersion("1.7.0")
				return p.AddTest(orders, "status", Test{Name: "accepted_values", Args: []KV{{"values", []string{"yes", "no"}}}})
			},
			want: "models:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values:\n              values: [\"yes\", \"no\"]\n",
		},
		{
			name: "description that needs quotes, and Jinja",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n",
			fn: func(p *Plan) error {
				if err := p.SetDescription(orders, "{{ doc('orders') }}"); err != nil {
					return err
				}
				return p.SetColumnDescription(orders, "id", "Key: unique per order")
			},
			want: "models:\n  - name: orders\n    description: \"{{ doc('orders') }}\"\n    columns:\n      - name: id\n        description: \"Key: unique per order\"\n",
		},
		{
			name: "a Jinja call holding single quotes is double-quoted where the file quotes with single ones",
			src:  "models:\n  - name: orders\n    description: 'Orders'\n    columns:\n      - name: id\n        description: 'Key'\n",
			fn: func(p *Plan) error {
				return p.AddColumn(orders, -1, Column{Name: "tx_id", Description: "{{ doc('tx_id') }}"})
			},
			want: "models:\n  - name: orders\n    description: 'Orders'\n    columns:\n      - name: id\n        description: 'Key'\n      - name: tx_id\n        description: \"{{ doc('tx_id') }}\"\n",
		},
		{
			name: "single quotes when the file quotes that way",
			src:  "models:\n  - name: orders\n    description: 'Orders'\n    columns:\n      - name: id\n        description: 'Key'\n",
			fn:   func(p *Plan) error { return p.SetColumnDescription(orders, "id", "It's the key") },
			want: "models:\n  - name: orders\n    description: 'Orders'\n    columns:\n      - name: id\n        description: 'It''s the key'\n",
		},
		{
			name: "multi-line description becomes a literal block",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n        description: old\n",
			fn:   func(p *Plan) error { return p.SetColumnDescription(orders, "id", "Line one.\nLine two.") },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n        description: |-\n          Line one.\n          Line two.\n",
		},
		{
			name: "replace a block scalar keeping its header",
			src:  "models:\n  - name: orders\n    description: >\n      Old text\n      over lines\n    columns: []\n",
			fn:   func(p *Plan) error { return p.SetDescription(orders, "New text") },
			want: "models:\n  - name: orders\n    description: >\n      New text\n    columns: []\n",
		},
		{
			name: "rename keeps quoting and the comment",
			src:  "models:\n  - name: orders\n    columns:\n      - name: \"ID\"  # upper case\n",
			fn:   func(p *Plan) error { return p.RenameColumn(orders, "ID", "order_id") },
			want: "models:\n  - name: orders\n    columns:\n      - name: \"order_id\"  # upper case\n",
		},
		{
			name: "remove a column with its comment",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n      # legacy\n      - name: old\n        description: x\n      - name: amount\n",
			fn:   func(p *Plan) error { return p.RemoveColumn(orders, "old") },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n      - name: amount\n",
		},
		{
			name: "removing the last column removes the key",
			src:  "models:\n  - name: orders\n    description: x\n    columns:\n      - name: id\n",
			fn:   func(p *Plan) error { return p.RemoveColumn(orders, "id") },
			want: "models:\n  - name: orders\n    description: x\n",
		},
		{
			name: "remove a test from a flow list",
			src:  "models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [unique, not_null]\n",
			fn:   func(p *Plan) error { return p.RemoveTest(orders, "id", "unique") },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [not_null]\n",
		},
		{
			name: "columns: [] becomes a block list",
			src:  "models:\n  - name: orders\n    columns: []\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, -1, Column{Name: "id"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n",
		},
		{
			name: "empty columns: key gets items",
			src:  "models:\n  - name: orders\n    columns:\n  - name: other\n",
			fn:   func(p *Plan) error { return p.AddColumn(orders, -1, Column{Name: "id"}) },
			want: "models:\n  - name: orders\n    columns:\n      - name: id\n  - name: other\n",
		},
		{
			name: "several columns into a model without columns, in order",
			src:  "version: 2\nmodels:\n  - name: orders\n  - name: other\n",
			fn: func(p *Plan) error {
				for _, n := range []string{"a", "b"} {
					if err := p.AddColumn(orders, -1, Column{Name: n}); err != nil {
						return err
					}
				}
				return nil
			},
			want: "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: a\n      - name: b\n  - name: other\n",
		},
		{
			name: "new model appended with a blank line like its siblings",
			src:  "version: 2\n\nmodels:\n  - name: a\n\n  - name: b\n",
			fn: func(p *Plan) error {
				return p.AddModel(Model{Name: "c", Description: "C", Columns: []Column{{Name: "id", Tests: []Test{{Name: "unique"}}}}})
			},
			want: "version: 2\n\nmodels:\n  - name: a\n\n  - name: b\n\n  - name: c\n    description: C\n    columns:\n      - name: id\n        data_tests:\n          - unique\n",
		},
		{
			name: "a file of semantic models gets its models list above them",
			src:  "# the locations mart\nsemantic_models:\n  - name: locations\n    model: ref('locations')\n\nmetrics:\n  - name: n\n",
			fn: func(p *Plan) error {
				return p.AddModel(Model{Name: "locations", Columns: []Column{{Name: "location_id"}}})
			},
			want: "models:\n  - name: locations\n    columns:\n      - name: location_id\n\n# the locations mart\nsemantic_models:\n  - name: locations\n    model: ref('locations')\n\nmetrics:\n  - name: n\n",
		},
		{
			name: "sources first, then a new models list at the end",
			src:  "sources:\n  - name: raw\n",
			fn:   func(p *Plan) error { return p.AddModel(Model{Name: "a"}) },
			want: "sources:\n  - name: raw\nmodels:\n  - name: a\n",
		},
		{
			name: "remove a model",
			src:  "models:\n  - name: a\n\n  - name: orders\n    columns:\n      - name: id\n\n  - name: b\n",
			fn:   func(p *Plan) error { return p.RemoveModel("orders") },
			want: "models:\n  - name: a\n\n  - name: b\n",
		},
		{
			name: "source table and its columns",
			src:  "sources:\n  - name: raw\n    tables:\n      - name: orders\n",
			fn: func(p *Plan) error {
				if err := p.AddSourceTable("raw", Model{Name: "payments"}); err != nil {
					return err
				}
				return p.AddColumn(SourceTableRef("raw", "orders"), -1, Column{Name: "id"})
			},
			want: "sources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n      - name: payments\n",
		},
		{
			name: "alias column expands into a merge with keys of its own",
			src:  "defs:\n  d: &d\n    name: day\nmodels:\n  - name: orders\n    columns:\n      - *d\n      - name: x\n",
			fn: func(p *Plan) error {
				if err := p.SetColumnDescription(orders, "day", "The day"); err != nil {
					return err
				}
				if err := p.AddTest(orders, "day", Test{Name: "not_null"}); err != nil {
					return err
				}
				return p.RenameColumn(orders, "day", "order_day")
			},
			want: "defs:\n  d: &d\n    name: day\nmodels:\n  - name: orders\n    columns:\n      - <<: *d\n        description: The day\n        name: order_day\n        data_tests:\n          - not_null\n      - name: x\n",
		},
		{
			name: "merge key column gets its own data_type",
			src:  "defs:\n  d: &d\n    name: day\nmodels:\n  - name: orders\n    columns:\n      - <<: *d\n",
			fn:   func(p *Plan) error { return p.SetColumnDataType(orders, "day", "date") },
			want: "defs:\n  d: &d\n    name: day\nmodels:\n  - name: orders\n    columns:\n      - <<: *d\n        data_type: date\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := edit(t, c.src, c.fn)
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s\ndiff:\n%s", got, c.want, Diff("x.yml", c.want, got))
			}
		})
	}
}

func TestEditErrors(t *testing.T) {
	src := "defs:\n  id: &id\n    name: id\n    tests: [unique]\nmodels:\n  - name: orders\n    columns:\n      - *id\n"
	f, err := Load("models/x.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Plan()
	cases := []struct {
		err  error
		want string
	}{
		{p.AddColumn(ModelRef("nope"), -1, Column{Name: "x"}), "models/x.yml: model nope is not declared in this file"},
		{p.AddTest(ModelRef("orders"), "id", Test{Name: "not_null"}), "models/x.yml:8:7: column \"id\" of model orders is an alias of &id, which has tests of its own"},
		{p.RemoveTest(ModelRef("orders"), "", "unique"), "models/x.yml:6:3: model orders has no test unique"},
		{p.AddColumn(ModelRef("orders"), -1, Column{Name: "id"}), "already has column"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
		var e *Error
		if c.err != nil && !errors.As(c.err, &e) {
			t.Errorf("%v is not an *Error", c.err)
		}
	}
	if p.Len() != 0 {
		t.Errorf("failed edits left %d splices", p.Len())
	}
	if _, err := Load("bad.yml", []byte("models:\n  - name: [\n")); err == nil || !strings.HasPrefix(err.Error(), "bad.yml:") {
		t.Errorf("bad YAML: %v", err)
	}
	if _, err := Load("list.yml", []byte("- a\n- b\n")); err == nil || !strings.Contains(err.Error(), "list.yml:1:1") {
		t.Errorf("top-level list: %v", err)
	}
}

func TestConflictingEdits(t *testing.T) {
	f, _ := Load("x.yml", []byte("models:\n  - name: orders\n    columns:\n      - name: id\n        description: a\n"))
	p := f.Plan()
	if err := p.SetColumnDescription(ModelRef("orders"), "id", "b"); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveColumn(ModelRef("orders"), "id"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err == nil || !strings.Contains(err.Error(), "conflicting") {
		t.Errorf("want a conflict, got %v", err)
	}
}

func TestNewFile(t *testing.T) {
	if got := FileName("", "models/staging/stripe"); got != "_stripe__models.yml" {
		t.Errorf("FileName = %q", got)
	}
	if got := FileName("<path>.yml", "models/marts"); got != "models_marts.yml" {
		t.Errorf("FileName = %q", got)
	}
	out := NewFile([]Model{{Name: "stg_a", Description: "A", Columns: []Column{{Name: "id", DataType: "int", Tests: []Test{{Name: "unique"}}}}}, {Name: "stg_b"}}, DefaultStyle())
	want := "version: 2\n\nmodels:\n  - name: stg_a\n    description: A\n    columns:\n      - name: id\n        data_type: int\n        data_tests:\n          - unique\n\n  - name: stg_b\n"
	if string(out) != want {
		t.Errorf("NewFile:\n%s\nwant:\n%s", out, want)
	}
	f, err := Load("n.yml", out)
	if err != nil || len(f.Models()) != 2 || f.Model("stg_a").Columns[0].DataType != "int" {
		t.Errorf("new file does not read back: %v", err)
	}
}

func TestStyleDetection(t *testing.T) {
	f, _ := Load("x.yml", []byte("models:\n- name: a\n  description: 'x'\n  columns:\n  - name: id\n    data_type: int\n    description: 'y'\n    tests: [unique]\n"))
	st := f.Style()
	if st.SeqIndent != 0 || st.TestsKey != "tests" || st.Quote != '\'' || !st.QuoteDescs || !st.DataTypeFirst || !st.FlowTests {
		t.Errorf("style %+v", st)
	}
	if st.ForDbtVersion("1.9.0").TestsKey != "tests" {
		t.Error("a file's own tests key must win over the dbt version")
	}
}

// An entry or column that defines an anchor another entry still uses is not removed (the file
// would no longer read); the plan's other edits go ahead. Removing the user first frees it.
func TestRemoveKeepsAnchorsInUse(t *testing.T) {
	src := "models:\n  - name: old\n    columns:\n      - &org\n        name: org\n        description: Organization.\n      - name: x\n" +
		"  - name: orders\n    columns:\n      - *org\n"
	f, err := Load("models/x.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Plan()
	err = p.RemoveModel("old")
	if err == nil || err.Error() != "models/x.yml:2:3: it defines &org, which line 10 still uses; move the anchor to a use that stays before removing it" {
		t.Fatalf("RemoveModel(old) = %v", err)
	}
	if err := p.RemoveColumn(ModelRef("old"), "org"); err == nil || !strings.Contains(err.Error(), "it defines &org, which line 10") {
		t.Fatalf("RemoveColumn(old, org) = %v", err)
	}
	if err := p.RemoveColumn(ModelRef("old"), "x"); err != nil {
		t.Fatal(err)
	}
	out, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(src, "      - name: x\n", "", 1); string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}

	got := edit(t, src, func(p *Plan) error {
		if err := p.RemoveModel("orders"); err != nil {
			return err
		}
		return p.RemoveModel("old")
	})
	if got != "" {
		t.Errorf("removing the alias's entry, then the anchor's: %q", got)
	}
}
