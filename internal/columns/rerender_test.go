package columns

import (
	"context"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// The columns_hook project lists columns through adapter.get_columns_in_relation: a macro over
// a ref whose columns are inferred upstream (orders_wide), the same macro over a source that
// declares no columns (events_all), a fill-staging pattern that only tests names against its
// own list (events_fill), and a macro that only asks when executing (orders_executed).
func TestInferAnswersGetColumnsInRelation(t *testing.T) {
	for _, compile := range []bool{true, false} {
		p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "testdata/columns_hook", Adapter: "duckdb", Compile: compile})
		if err != nil {
			t.Fatal(err)
		}
		res := Infer(p, Options{})
		node := func(name string) *Node {
			t.Helper()
			n := res.Node("model.columns_hook." + name)
			if n == nil {
				t.Fatalf("compile=%v: no result for %s", compile, name)
			}
			return n
		}

		wide := node("orders_wide")
		if s := columnNames(wide.Columns); s != "id, customer_id, amount, loaded, tag" {
			t.Errorf("compile=%v: orders_wide columns %s (unresolved %v, notes %v)", compile, s, wide.Unresolved, wide.Notes)
		}
		if len(wide.Unresolved) > 0 {
			t.Errorf("compile=%v: orders_wide unresolved: %v", compile, wide.Unresolved)
		}
		// the listed columns point at the macro call, the literal after it at itself
		if c := wide.Column("amount"); c == nil || c.Pos.Path != "models/orders_wide.sql" || c.Pos.Line != 2 || c.Pos.Column != 5 {
			t.Errorf("compile=%v: amount position %+v", compile, c)
		}
		if c := wide.Column("tag"); c == nil || c.Pos.Line != 3 || c.Pos.Column != 5 {
			t.Errorf("compile=%v: tag position %+v", compile, c)
		}
		if c := wide.Column("loaded"); c == nil || len(c.Lineage) != 1 || c.Lineage[0].String() != "model.columns_hook.stg_orders.loaded" {
			t.Errorf("compile=%v: loaded lineage %+v", compile, c)
		}

		// the macro renders nothing without the source's columns (and the SQL no longer
		// parses); the node says why its list is incomplete, at the source() call
		all := node("events_all")
		var unknown *Problem
		for i, pr := range all.Unresolved {
			if pr.Kind == "columns-unknown" {
				unknown = &all.Unresolved[i]
			}
		}
		if unknown == nil || !strings.Contains(unknown.Reason, "source raw.events") || unknown.Pos.Line != 2 || unknown.Pos.Column != 35 {
			t.Errorf("compile=%v: events_all should be unresolved at the source() call: %v", compile, all.Unresolved)
		}

		// a macro that only lists columns when executing is rendered executing
		exec := node("orders_executed")
		if s := columnNames(exec.Columns); s != "id, customer_id, status, loaded" || len(exec.Unresolved) > 0 {
			t.Errorf("compile=%v: orders_executed columns %s, unresolved %v", compile, s, exec.Unresolved)
		}

		fill := node("events_fill")
		if s := columnNames(fill.Columns); s != "event_id, kind" || len(fill.Unresolved) > 0 {
			t.Errorf("compile=%v: events_fill columns %s, unresolved %v", compile, s, fill.Unresolved)
		}
		// its nulls stand for columns nobody described, which the source may well have
		if len(fill.Notes) != 1 || fill.Notes[0].Kind != "columns-unknown" || !strings.Contains(fill.Notes[0].Reason, "source raw.events") {
			t.Errorf("compile=%v: events_fill should note the unknown columns of its source: %v", compile, fill.Notes)
		}
		if fill.SQL != "" {
			t.Errorf("compile=%v: events_fill renders as the load did, yet has SQL %q", compile, fill.SQL)
		}
		// the SQL read for the model's other signals is the render that knew the columns
		if !strings.Contains(wide.SQL, "amount") || strings.Contains(p.Nodes["model.columns_hook.orders_wide"].Render.Output, "amount") {
			t.Errorf("compile=%v: orders_wide SQL %q", compile, wide.SQL)
		}
	}
}

func columnNames(cols []*Column) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return strings.Join(out, ", ")
}

func TestIdentWords(t *testing.T) {
	got := identWords("{% macro x9(a_b) %}9abc é_d {{ adapter.get_columns_in_relation(r) }}_{% endmacro %}")
	want := []string{"_", "a_b", "abc", "adapter", "endmacro", "get_columns_in_relation", "macro", "r", "x9", "_d"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%q missing from %v", w, got)
		}
	}
}

// The query_columns project builds select lists from the columns of a query it writes
// (get_column_schema_from_query, adapter.get_column_schema_from_query, get_columns_in_query):
// the query is read as a model's SQL is, and a query over columns nobody knows leaves the
// node unresolved.
func TestInferAnswersQueryColumns(t *testing.T) {
	for _, compile := range []bool{true, false} {
		p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "testdata/query_columns", Adapter: "postgres", Compile: compile})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Diagnostics {
			t.Errorf("compile=%v: load warning %v", compile, w)
		}
		res := Infer(p, Options{})
		for name, want := range map[string]string{
			"items_renamed": "item_id:integer, item_code:text, price:numeric, batch:integer",
			"item_names":    "item_id:integer, sku:text, price:numeric",
		} {
			n := res.Node("model.query_columns." + name)
			if n == nil {
				t.Fatalf("compile=%v: no result for %s", compile, name)
			}
			if s := format(n.Columns); s != want {
				t.Errorf("compile=%v: %s columns %s, want %s (unresolved %v, notes %v)", compile, name, s, want, n.Unresolved, n.Notes)
			}
			if len(n.Unresolved) > 0 {
				t.Errorf("compile=%v: %s unresolved: %v", compile, name, n.Unresolved)
			}
		}
		ev := res.Node("model.query_columns.events_listed")
		unknown := false
		for _, pr := range ev.Unresolved {
			unknown = unknown || pr.Kind == "columns-unknown" && strings.Contains(pr.Reason, "get_column_schema_from_query")
		}
		if !unknown {
			t.Errorf("compile=%v: events_listed should be unresolved: %v (%s)", compile, ev.Unresolved, format(ev.Columns))
		}
	}
}
