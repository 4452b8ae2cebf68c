package jinja

import (
	"github.com/nikolalohinski/gonja/v2/exec"
)

// statementFn is dbt's {% call statement('name', fetch_result=True) %}: nothing runs, but the
// body is rendered so the refs in it count, and load_result('name') then finds an empty result.
func statementFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if c, ok := va.KwArgs["caller"]; ok {
		if fn, ok := c.Interface().(callable); ok {
			fn(e, exec.NewVarArgs())
		}
	}
	if st != nil {
		if name, ok := argString(va, 0, "name"); ok {
			if st.statements == nil {
				st.statements = map[string]bool{}
			}
			st.statements[name] = true
		}
	}
	return exec.AsValue("")
}

func loadResultFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	return exec.AsValue(map[string]any{
		"data":     []any{},
		"table":    emptyTable,
		"response": map[string]any{"code": "", "rows_affected": 0, "_message": ""},
	})
}

// tableFn is an agate table with no rows, which is what every warehouse query returns while
// rendering: iterating it, its rows or its columns yields nothing.
type tableFn func(*exec.VarArgs) *exec.Value

var emptyTable tableFn = func(*exec.VarArgs) *exec.Value { return exec.AsValue("") }

func (t tableFn) String() string { return "" }

func (t tableFn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "columns", "rows", "column_names", "column_types", "values", "keys":
		return exec.AsValue(emptySeq), true
	case "table":
		return exec.AsValue(t), true
	case "print_table", "print_csv", "print_json", "to_csv", "to_json":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue("") }), true
	}
	// select, where, order_by, limit, ... all return another empty table.
	return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(emptyTable) }), true
}

func (t tableFn) GetItem(key any) (*exec.Value, bool) {
	if s, ok := key.(string); ok {
		return t.GetAttribute(s)
	}
	return exec.AsValue(nil), false
}

// seqFn is an empty sequence that can still be indexed: result.columns[0].values() and
// result.rows[0][0] are how macros read query results, and with no warehouse every query
// result is empty. Indexing gives another empty sequence, iterating gives nothing, printing
// gives "".
type seqFn func(*exec.VarArgs) *exec.Value

var emptySeq seqFn = func(*exec.VarArgs) *exec.Value { return exec.AsValue("") }

func (s seqFn) String() string { return "" }

func (s seqFn) GetItem(any) (*exec.Value, bool) { return exec.AsValue(emptySeq), true }

func (s seqFn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "values", "keys", "items", "values_distinct", "values_without_nulls":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value {
			out := []any{}
			return exec.AsValue(&out)
		}), true
	case "name":
		return exec.AsValue(""), true
	}
	return exec.AsValue(emptySeq), true
}
