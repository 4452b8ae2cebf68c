package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// got renders findings as "rule line suggestion" for compact comparison.
func got(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s:%d %s", f.Rule, f.Path, f.Line, f.Suggestion))
	}
	return strings.Join(out, "\n")
}

func TestConventions(t *testing.T) {
	c := DefaultConventions()
	cases := []struct {
		name string
		m    ModelFacts
		want string
	}{
		{
			name: "clean staging model is silent",
			m: ModelFacts{Name: "stg_orders", Path: "models/staging/shop/stg_orders.sql", Columns: []ColumnFacts{
				{Name: "order_id", DataType: "int"}, {Name: "is_paid", DataType: "boolean"}, {Name: "paid", DataType: "varchar"},
				{Name: "ordered_at", DataType: "timestamp"}, {Name: "order_date", DataType: "date"}, {Name: "_loaded_at", DataType: "timestamp_ntz"},
				{Name: "uuid", DataType: "varchar"}, {Name: "valid", DataType: "varchar"}, {Name: "date", DataType: "date"},
				{Name: "orcid", DataType: "varchar"},
			}},
			want: "",
		},
		{
			name: "prefix by innermost configured folder",
			m:    ModelFacts{Name: "orders", Path: "models/staging/shop/orders.sql"},
			want: "naming-model-prefix models/staging/shop/orders.sql:1 stg_orders",
		},
		{
			name: "marts allow two prefixes, so no single suggestion",
			m:    ModelFacts{Name: "orders", Path: "models/marts/orders.sql", PropertyPath: "models/marts/_marts.yml", Line: 4, Description: "One row per order."},
			want: "naming-model-prefix models/marts/_marts.yml:4 ",
		},
		{
			name: "column names by type",
			m: ModelFacts{Name: "stg_x", Path: "models/staging/stg_x.sql", Columns: []ColumnFacts{
				{Name: "active", DataType: "BOOLEAN", Path: "models/staging/_s.yml", Line: 7},
				{Name: "isDeleted", DataType: "bool", Path: "models/staging/_s.yml", Line: 9},
				{Name: "created", DataType: "TIMESTAMP WITH TIME ZONE", Path: "models/staging/_s.yml", Line: 11},
				{Name: "updated_ts", DataType: "timestamp(6)", Path: "models/staging/_s.yml", Line: 12},
				{Name: "birth_day", DataType: "date", Path: "models/staging/_s.yml", Line: 13},
				{Name: "customerid", DataType: "int", Path: "models/staging/_s.yml", Line: 14},
				{Name: "Order Total", DataType: "numeric", Path: "models/staging/_s.yml", Line: 15},
			}},
			want: strings.Join([]string{
				"naming-boolean-prefix models/staging/_s.yml:7 is_active",
				"naming-snake-case models/staging/_s.yml:9 is_deleted",
				"naming-boolean-prefix models/staging/_s.yml:9 is_deleted",
				"naming-timestamp-suffix models/staging/_s.yml:11 created_at",
				"naming-timestamp-suffix models/staging/_s.yml:12 updated_at",
				"naming-date-suffix models/staging/_s.yml:13 birth_date",
				"naming-id-suffix models/staging/_s.yml:14 customer_id",
				"naming-snake-case models/staging/_s.yml:15 order_total",
			}, "\n"),
		},
		{
			name: "marts need descriptions; placeholders do not count",
			m: ModelFacts{Name: "fct_orders", Path: "models/marts/fct_orders.sql", PropertyPath: "models/marts/_m.yml", Line: 3, Description: "TODO", Columns: []ColumnFacts{
				{Name: "order_id", Description: "The order.", Path: "models/marts/_m.yml", Line: 6},
				{Name: "amount", Description: "", Path: "models/marts/_m.yml", Line: 8},
				{Name: "status", Description: "Status", Path: "models/marts/_m.yml", Line: 9},
			}},
			want: strings.Join([]string{
				"description-required models/marts/_m.yml:3 ",
				"description-required models/marts/_m.yml:8 ",
				"description-required models/marts/_m.yml:9 ",
			}, "\n"),
		},
		{
			name: "placeholders outside marts are info; forbidden names",
			m: ModelFacts{Name: "int_tmp", Path: "models/intermediate/int_tmp.sql", Columns: []ColumnFacts{
				{Name: "tmp", Description: "tbd"}, {Name: "x", Description: "..."}, {Name: "y", Description: "TODO: describe y"},
			}},
			want: strings.Join([]string{
				"naming-forbidden models/intermediate/int_tmp.sql:1 ",
				"description-placeholder models/intermediate/int_tmp.sql:1 ",
				"description-placeholder models/intermediate/int_tmp.sql:1 ",
				"description-placeholder models/intermediate/int_tmp.sql:1 ",
			}, "\n"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if g := got(c.Check(tc.m)); g != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", g, tc.want)
			}
		})
	}
}

func TestConventionsConfig(t *testing.T) {
	m := ModelFacts{Name: "orders", Path: "models/staging/orders.sql", Columns: []ColumnFacts{{Name: "active", DataType: "boolean"}}}
	c := DefaultConventions()
	c.Disable = []string{RuleModelPrefix}
	c.BooleanPrefixes = []string{"flag_"}
	c.Severity = map[string]string{RuleBooleanPrefix: SeverityError}
	fs := c.Check(m)
	if len(fs) != 1 || fs[0].Rule != RuleBooleanPrefix || fs[0].Severity != SeverityError || fs[0].Suggestion != "flag_active" || fs[0].Agent != "schema" {
		t.Fatalf("findings %+v", fs)
	}
	if len((Conventions{}).Check(m)) != 0 {
		t.Error("the zero value checks nothing")
	}
	b, _ := json.Marshal(fs[0])
	for _, k := range []string{`"agent"`, `"rule"`, `"severity"`, `"path"`, `"line"`, `"message"`, `"suggestion"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("json %s lacks %s", b, k)
		}
	}
	if len(RuleNames()) != 9 {
		t.Errorf("rules %v", RuleNames())
	}
}

func TestToSnake(t *testing.T) {
	for in, want := range map[string]string{
		"OrderID": "order_id", "HTTPStatus": "http_status", "order-total": "order_total",
		"Order Total": "order_total", "_fivetranSynced": "_fivetran_synced", "amount2USD": "amount2_usd", "a__b": "a_b",
	} {
		if got := toSnake(in); got != want {
			t.Errorf("toSnake(%q) = %q, want %q", in, got, want)
		}
	}
}
