package jinja

import "github.com/nikolalohinski/gonja/v2/exec"

// dbt's get_column_schema_from_query(select_sql) (and adapter.get_column_schema_from_query)
// asks the warehouse for the columns a query returns; get_columns_in_query(select_sql) for
// their names. Templates build select lists from them (`{% for col in
// get_column_schema_from_query('select * from (' ~ q ~ ')') %}`). Without a warehouse they
// return nothing; Input.QueryColumns, when set, answers them with columns inferred from the
// query. Either way the render counts as having asked for columns, so a caller that can
// answer renders it again.

// queryColumns returns the columns of the query the call's first argument holds.
func queryColumns(ev *exec.Evaluator, va *exec.VarArgs, kw string) ([]Column, byte) {
	st := stateOfEval(ev)
	if st == nil {
		return nil, '"'
	}
	st.askedCols = true
	q := quoteChar(st.env.opts.Adapter)
	sql, ok := argString(va, 0, kw)
	if !ok || st.in.QueryColumns == nil {
		return nil, q
	}
	cols, _ := st.in.QueryColumns(sql)
	return cols, q
}

// columnSchemaFromQuery is get_column_schema_from_query: the query's columns, with name and
// data_type as get_columns_in_relation gives them.
func columnSchemaFromQuery(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	cols, q := queryColumns(ev, va, "select_sql")
	out := make([]any, 0, len(cols))
	for _, c := range cols {
		out = append(out, &columnValue{Column: c, quote: q})
	}
	return exec.AsValue(&out)
}

// columnsInQuery is get_columns_in_query: the names of the query's columns.
func columnsInQuery(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	cols, _ := queryColumns(ev, va, "select_sql")
	out := make([]any, 0, len(cols))
	for _, c := range cols {
		out = append(out, c.Name)
	}
	return exec.AsValue(&out)
}
