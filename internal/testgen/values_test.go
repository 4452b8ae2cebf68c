package testgen

import (
	"reflect"
	"strings"
	"testing"
)

func TestDataValueSet(t *testing.T) {
	vc := func(pairs ...any) []ValueCount {
		var out []ValueCount
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, ValueCount{Value: pairs[i].(string), Count: int64(pairs[i+1].(int))})
		}
		return out
	}
	for _, c := range []struct {
		name string
		cd   ColumnData
		want []string
	}{
		{"status", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 3, Values: vc("placed", 60, "shipped", 30, "returned", 10)}, []string{"placed", "shipped", "returned"}},
		// A value seen once is the tail of a growing set.
		{"status", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 3, Values: vc("placed", 60, "shipped", 39, "lost", 1)}, nil},
		// Too few rows per value, too few rows, too many values, over the max asked.
		{"status", ColumnData{Type: "VARCHAR", Rows: 12, Distinct: 3, Values: vc("a", 4, "b", 4, "c", 4)}, nil},
		{"status", ColumnData{Type: "VARCHAR", Rows: 40, Distinct: 10, Values: vc("a", 4, "b", 4, "c", 4, "d", 4, "e", 4, "f", 4, "g", 4, "h", 4, "i", 4, "j", 4)}, nil},
		{"status", ColumnData{Type: "VARCHAR", Rows: 1000, Distinct: 13}, nil},
		// NULLs do not count as rows of a value.
		{"status", ColumnData{Type: "VARCHAR", Rows: 100, Nulls: 90, Distinct: 2, Values: vc("a", 5, "b", 5)}, nil},
		// Names that are never enumerations, whatever the data.
		{"customer_id", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 2, Values: vc("a", 50, "b", 50)}, nil},
		{"first_name", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 2, Values: vc("a", 50, "b", 50)}, nil},
		{"is_active", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 2, Values: vc("a", 50, "b", 50)}, nil},
		// Integers only when named as codes; booleans, floats and dates never.
		{"priority_code", ColumnData{Type: "INTEGER", Rows: 100, Distinct: 2, Values: vc("1", 50, "2", 50)}, []string{"1", "2"}},
		{"quantity", ColumnData{Type: "INTEGER", Rows: 100, Distinct: 2, Values: vc("1", 50, "2", 50)}, nil},
		{"active", ColumnData{Type: "BOOLEAN", Rows: 100, Distinct: 2, Values: vc("true", 50, "false", 50)}, nil},
		{"score", ColumnData{Type: "DOUBLE", Rows: 100, Distinct: 2, Values: vc("1.5", 50, "2.5", 50)}, nil},
		{"status", ColumnData{Type: "VARCHAR", Rows: 100, Distinct: 2, Values: vc("a", 50, strings.Repeat("b", 101), 50)}, nil},
	} {
		got, why := dataValueSet(c.name, c.cd)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("dataValueSet(%s, %+v) = %v, want %v", c.name, c.cd, got, c.want)
		}
		if got != nil && why == "" {
			t.Errorf("dataValueSet(%s): no reason", c.name)
		}
	}
}

func TestValuesArguments(t *testing.T) {
	for _, c := range []struct {
		vals []string
		typ  string
		want map[string]any
	}{
		{[]string{"a", "b"}, "varchar", map[string]any{"values": []any{"a", "b"}}},
		{[]string{"1", "2"}, "", map[string]any{"values": []any{"1", "2"}}},
		{[]string{"2022", "2023"}, "integer", map[string]any{"values": []any{int64(2022), int64(2023)}, "quote": false}},
		{[]string{"1.5", "2"}, "numeric(10,2)", map[string]any{"values": []any{1.5, int64(2)}, "quote": false}},
		{[]string{"true", "false"}, "boolean", map[string]any{"values": []any{true, false}, "quote": false}},
		// A number column whose documented values are not numbers keeps them as strings.
		{[]string{"low", "high"}, "int", map[string]any{"values": []any{"low", "high"}}},
	} {
		if got := valuesArguments(c.vals, c.typ); !reflect.DeepEqual(got, c.want) {
			t.Errorf("valuesArguments(%v, %q) = %#v, want %#v", c.vals, c.typ, got, c.want)
		}
	}
	if got := spellAsData([]string{"website", "in-product", "other"}, []string{"Website", "In-Product"}); !reflect.DeepEqual(got, []string{"Website", "In-Product", "other"}) {
		t.Errorf("spellAsData = %v", got)
	}
}
