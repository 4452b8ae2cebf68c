package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// crossDB are dbt's cross-database macros (dbt.type_string(), dbt.dateadd(), ...), rendered
// natively per adapter so package macros that build on them (dbt_utils, fivetran_utils)
// produce real SQL without dbt's own macro files. Projects and packages that define a macro
// of the same name override these.
var crossDB map[string]callable

// dbtBuiltinMacros are other macros dbt ships that models call directly.
var dbtBuiltinMacros map[string]callable

func init() {
	crossDB = map[string]callable{
		"hash": sqlMacro([]string{"field"}, func(a adapterArgs) string {
			switch {
			case a.adapter == "bigquery":
				return "to_hex(md5(cast(" + a.s(0) + " as string)))"
			case inherits(a.adapter, "sqlserver"):
				return "convert(varchar(50), hashbytes('md5', coalesce(convert(varchar(8000), " + a.s(0) + "), '')), 2)"
			}
			return "md5(cast(" + a.s(0) + " as " + typeFor(a.adapter, "type_string") + "))"
		}),
		"concat": sqlMacro([]string{"fields"}, func(a adapterArgs) string {
			parts := a.list(0)
			switch a.adapter {
			case "postgres", "redshift", "duckdb", "snowflake":
				return strings.Join(parts, " || ")
			}
			return "concat(" + strings.Join(parts, ", ") + ")"
		}),
		"safe_cast": sqlMacro([]string{"field", "type"}, func(a adapterArgs) string {
			switch a.adapter {
			case "bigquery":
				return "safe_cast(" + a.s(0) + " as " + a.s(1) + ")"
			case "snowflake", "duckdb", "databricks", "spark", "trino":
				return "try_cast(" + a.s(0) + " as " + a.s(1) + ")"
			}
			return "cast(" + a.s(0) + " as " + a.s(1) + ")"
		}),
		"cast": sqlMacro([]string{"field", "type"}, func(a adapterArgs) string {
			return "cast(" + a.s(0) + " as " + a.s(1) + ")"
		}),
		"cast_bool_to_text": sqlMacro([]string{"field"}, func(a adapterArgs) string {
			return "cast(" + a.s(0) + " as " + typeFor(a.adapter, "type_string") + ")"
		}),
		"dateadd": sqlMacro([]string{"datepart", "interval", "from_date_or_timestamp"}, func(a adapterArgs) string {
			part, n, from := a.s(0), a.s(1), a.s(2)
			switch a.adapter {
			case "bigquery":
				return "datetime_add(cast(" + from + " as datetime), interval " + n + " " + part + ")"
			case "postgres", "duckdb":
				return from + " + ((interval '1 " + part + "') * (" + n + "))"
			case "spark", "databricks":
				return "timestampadd(" + part + ", " + n + ", " + from + ")"
			}
			return "dateadd(" + part + ", " + n + ", " + from + ")"
		}),
		"datediff": sqlMacro([]string{"first_date", "second_date", "datepart"}, func(a adapterArgs) string {
			first, second, part := a.s(0), a.s(1), a.s(2)
			switch a.adapter {
			case "bigquery":
				return "datetime_diff(cast(" + second + " as datetime), cast(" + first + " as datetime), " + part + ")"
			case "postgres":
				return "((" + second + ")::date - (" + first + ")::date)"
			case "duckdb":
				return "date_diff('" + part + "', " + first + "::timestamp, " + second + "::timestamp)"
			}
			return "datediff(" + part + ", " + first + ", " + second + ")"
		}),
		"date_trunc": sqlMacro([]string{"datepart", "date"}, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "timestamp_trunc(cast(" + a.s(1) + " as timestamp), " + a.s(0) + ")"
			}
			return "date_trunc('" + a.s(0) + "', " + a.s(1) + ")"
		}),
		"last_day": sqlMacro([]string{"date", "datepart"}, func(a adapterArgs) string {
			if a.adapter == "snowflake" || a.adapter == "bigquery" {
				return "last_day(" + a.s(0) + ", " + a.s(1) + ")"
			}
			return "cast(date_trunc('" + a.s(1) + "', " + a.s(0) + ") + interval '1 " + a.s(1) + "' - interval '1 day' as date)"
		}),
		"current_timestamp": sqlMacro(nil, func(a adapterArgs) string {
			switch a.adapter {
			case "postgres", "redshift":
				return "now()"
			case "bigquery", "snowflake":
				return "current_timestamp()"
			}
			if inherits(a.adapter, "sqlserver") {
				return "cast(sysdatetime() as datetime2(6))"
			}
			return "current_timestamp"
		}),
		"any_value": sqlMacro([]string{"expression"}, func(a adapterArgs) string {
			if a.adapter == "postgres" || a.adapter == "redshift" {
				return "min(" + a.s(0) + ")"
			}
			return "any_value(" + a.s(0) + ")"
		}),
		"bool_or": sqlMacro([]string{"expression"}, func(a adapterArgs) string {
			switch a.adapter {
			case "snowflake":
				return "boolor_agg(" + a.s(0) + ")"
			case "bigquery":
				return "logical_or(" + a.s(0) + ")"
			}
			return "bool_or(" + a.s(0) + ")"
		}),
		"listagg": sqlMacro([]string{"measure", "delimiter_text", "order_by_clause", "limit_num"}, func(a adapterArgs) string {
			delim := a.s(1)
			if delim == "" {
				delim = "','"
			}
			switch a.adapter {
			case "postgres", "bigquery", "duckdb":
				return "string_agg(" + a.s(0) + ", " + delim + " " + a.s(2) + ")"
			}
			out := "listagg(" + a.s(0) + ", " + delim + ")"
			if a.s(2) != "" {
				out += " within group (" + a.s(2) + ")"
			}
			return out
		}),
		"split_part": sqlMacro([]string{"string_text", "delimiter_text", "part_number"}, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "split(" + a.s(0) + ", " + a.s(1) + ")[safe_offset(" + a.s(2) + " - 1)]"
			}
			return "split_part(" + a.s(0) + ", " + a.s(1) + ", " + a.s(2) + ")"
		}),
		"string_literal": sqlMacro([]string{"value"}, func(a adapterArgs) string {
			return "'" + a.s(0) + "'"
		}),
		"escape_single_quotes": sqlMacro([]string{"expression"}, func(a adapterArgs) string {
			if a.adapter == "bigquery" || a.adapter == "spark" || a.adapter == "databricks" {
				return strings.ReplaceAll(a.s(0), "'", `\'`)
			}
			return strings.ReplaceAll(a.s(0), "'", "''")
		}),
		"replace": sqlMacro([]string{"field", "old_chars", "new_chars"}, func(a adapterArgs) string {
			return "replace(" + a.s(0) + ", " + a.s(1) + ", " + a.s(2) + ")"
		}),
		"length": sqlMacro([]string{"expression"}, func(a adapterArgs) string {
			if a.adapter == "redshift" {
				return "len(" + a.s(0) + ")"
			}
			return "length(" + a.s(0) + ")"
		}),
		"position": sqlMacro([]string{"substring_text", "string_text"}, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "strpos(" + a.s(1) + ", " + a.s(0) + ")"
			}
			return "position(" + a.s(0) + " in " + a.s(1) + ")"
		}),
		"right": sqlMacro([]string{"string_text", "length_expression"}, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "case when " + a.s(1) + " = 0 then '' else substr(" + a.s(0) + ", -1 * (" + a.s(1) + ")) end"
			}
			return "right(" + a.s(0) + ", " + a.s(1) + ")"
		}),
		"except": sqlMacro(nil, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "except distinct"
			}
			return "except"
		}),
		"intersect": sqlMacro(nil, func(a adapterArgs) string {
			if a.adapter == "bigquery" {
				return "intersect distinct"
			}
			return "intersect"
		}),
		"array_construct": sqlMacro([]string{"inputs", "data_type"}, func(a adapterArgs) string {
			items := strings.Join(a.list(0), ", ")
			switch a.adapter {
			case "snowflake":
				return "array_construct(" + items + ")"
			case "bigquery":
				return "[" + items + "]"
			}
			return "array[" + items + "]"
		}),
		"array_append": sqlMacro([]string{"array", "new_element"}, func(a adapterArgs) string {
			return "array_append(" + a.s(0) + ", " + a.s(1) + ")"
		}),
		"array_concat": sqlMacro([]string{"array_1", "array_2"}, func(a adapterArgs) string {
			if a.adapter == "postgres" || a.adapter == "duckdb" {
				return "array_cat(" + a.s(0) + ", " + a.s(1) + ")"
			}
			return "array_concat(" + a.s(0) + ", " + a.s(1) + ")"
		}),
	}
	for name := range typeTables {
		crossDB[name] = typeMacro(name)
	}
	crossDB["current_timestamp_backcompat"] = sqlMacro(nil, func(a adapterArgs) string {
		switch a.adapter {
		case "bigquery":
			return "current_timestamp"
		case "snowflake":
			return "current_timestamp::timestamp_ntz"
		case "redshift":
			return "getdate()"
		}
		return "current_timestamp::" + typeFor(a.adapter, "type_timestamp")
	})
	crossDB["current_timestamp_in_utc_backcompat"] = sqlMacro(nil, func(a adapterArgs) string {
		switch a.adapter {
		case "bigquery":
			return "current_timestamp"
		case "snowflake":
			return "convert_timezone('UTC', current_timestamp())::timestamp_ntz"
		case "redshift":
			return "getdate()"
		}
		return "(current_timestamp at time zone 'utc')::" + typeFor(a.adapter, "type_timestamp")
	})

	dbtBuiltinMacros = map[string]callable{
		"generate_schema_name": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			st := stateOfEval(e)
			base := ""
			if st != nil {
				base, _ = st.env.target["schema"].(string)
			}
			custom, ok := argValue(va, 0, "custom_schema_name")
			if !ok || custom.IsNil() || strings.TrimSpace(custom.String()) == "" {
				return exec.AsValue(base)
			}
			return exec.AsValue(base + "_" + strings.TrimSpace(custom.String()))
		},
		"generate_alias_name": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			if custom, ok := argValue(va, 0, "custom_alias_name"); ok && !custom.IsNil() && custom.String() != "" {
				return exec.AsValue(strings.TrimSpace(custom.String()))
			}
			if node, ok := argValue(va, 1, "node"); ok && !node.IsNil() {
				if n, ok := node.GetItem("name"); ok {
					return n
				}
			}
			if st := stateOfEval(e); st != nil {
				return exec.AsValue(st.in.Name)
			}
			return exec.AsValue("")
		},
		"generate_database_name": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			if custom, ok := argValue(va, 0, "custom_database_name"); ok && !custom.IsNil() && custom.String() != "" {
				return exec.AsValue(strings.TrimSpace(custom.String()))
			}
			if st := stateOfEval(e); st != nil {
				return exec.AsValue(st.env.target["database"])
			}
			return exec.AsValue("")
		},
		// dbt's alternative naming pattern: the custom schema as is on the target named prod,
		// the target's schema everywhere else.
		"generate_schema_name_for_env": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			st := stateOfEval(e)
			base, name := "", ""
			if st != nil {
				base, _ = st.env.target["schema"].(string)
				name, _ = st.env.target["name"].(string)
			}
			custom, ok := argValue(va, 0, "custom_schema_name")
			if name == "prod" && ok && !custom.IsNil() {
				return exec.AsValue(strings.TrimSpace(custom.String()))
			}
			return exec.AsValue(base)
		},
		"should_full_refresh":          func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(false) },
		"should_store_failures":        func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(false) },
		"get_columns_in_query":         columnsInQuery,
		"get_column_schema_from_query": columnSchemaFromQuery,
		"get_where_subquery":           func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value { v, _ := argValue(va, 0, "relation"); return v },
		"incremental_validate_on_schema_change": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			if v, ok := argValue(va, 0, "on_schema_change"); ok && !v.IsNil() {
				return v
			}
			return exec.AsValue("ignore")
		},
		"make_temp_relation": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			base, _ := argValue(va, 0, "base_relation")
			suffix, ok := argString(va, 1, "suffix")
			if !ok {
				suffix = "__dbt_tmp"
			}
			if r, ok := base.Interface().(*relationValue); ok {
				c := r.clone()
				c.Identifier += suffix
				c.bare = ""
				if r.bare != "" {
					c.bare = r.bare + suffix
				}
				return exec.AsValue(c)
			}
			return exec.AsValue(base.String() + suffix)
		},
	}
	// Overrides of the naming macros often delegate to dbt's default implementation by name.
	for _, name := range []string{"generate_schema_name", "generate_alias_name", "generate_database_name"} {
		dbtBuiltinMacros["default__"+name] = dbtBuiltinMacros[name]
	}
}

// adapterArgs are a cross-database macro's arguments, rendered as SQL text.
type adapterArgs struct {
	adapter string
	args    []*exec.Value
}

func (a adapterArgs) s(i int) string {
	if i < len(a.args) && a.args[i] != nil && !a.args[i].IsNil() {
		return a.args[i].String()
	}
	return ""
}

func (a adapterArgs) list(i int) []string {
	if i >= len(a.args) || a.args[i] == nil {
		return nil
	}
	var out []string
	for _, x := range toList(a.args[i]) {
		out = append(out, exec.ToValue(x).String())
	}
	return out
}

func sqlMacro(params []string, render func(adapterArgs) string) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		a := adapterArgs{args: make([]*exec.Value, len(params))}
		if st := stateOfEval(e); st != nil {
			a.adapter = st.env.opts.Adapter
		}
		for i, p := range params {
			if v, ok := argValue(va, i, p); ok {
				a.args[i] = v
			}
		}
		return exec.AsSafeValue(render(a))
	}
}

// typeTables are the SQL type names dbt's type_* macros give per adapter.
var typeTables = map[string]map[string]string{
	"type_string":    {"bigquery": "STRING", "spark": "STRING", "databricks": "STRING", "redshift": "varchar", "sqlserver": "VARCHAR(8000)", "default": "TEXT"},
	"type_timestamp": {"snowflake": "TIMESTAMP_NTZ", "bigquery": "TIMESTAMP", "sqlserver": "datetime2(6)", "default": "timestamp"},
	"type_int":       {"bigquery": "INT64", "default": "INT"},
	"type_bigint":    {"bigquery": "INT64", "default": "bigint"},
	"type_numeric":   {"bigquery": "NUMERIC", "default": "numeric(28,6)"},
	"type_float":     {"bigquery": "FLOAT64", "default": "FLOAT"},
	"type_boolean":   {"bigquery": "BOOL", "sqlserver": "bit", "default": "BOOLEAN"},
}

func typeMacro(name string) callable {
	return func(e *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
		adapter := ""
		if st := stateOfEval(e); st != nil {
			adapter = st.env.opts.Adapter
		}
		return exec.AsValue(typeFor(adapter, name))
	}
}

// typeFor is the adapter's label for a type macro, else its parent adapter's (fabric and
// synapse take sqlserver's), else the default.
func typeFor(adapter, macro string) string {
	for i, a := 0, adapter; a != "" && i < 8; i, a = i+1, adapterParents[a] {
		if t, ok := typeTables[macro][a]; ok {
			return t
		}
	}
	return typeTables[macro]["default"]
}

// dbtMacro returns dbt's own macro of that name (cross-database or other builtin), as a
// callable that counts as a use of macro.dbt.<name> when a template calls it directly.
func dbtMacro(name string) (callable, bool) {
	fn, ok := crossDB[name]
	if !ok {
		fn, ok = dbtBuiltinMacros[name]
	}
	if !ok {
		return nil, false
	}
	return recordedMacro("macro.dbt."+name, fn), true
}

// dispatchedByDBT are dbt's own macros that dbt defines as a call of adapter.dispatch(name,
// 'dbt'): every cross-database macro and the naming macros.
func dispatchedByDBT(name string) bool {
	_, cross := crossDB[name]
	return cross || name == "generate_schema_name" || name == "generate_alias_name" || name == "generate_database_name"
}

// dbtMacro is dbtMacro for this environment: a macro dbt dispatches first looks, as dbt's
// dispatch in namespace dbt does, for an implementation of it (<adapter>__name, the parent
// adapters', default__name) in the packages the project's `dispatch:` config lists for dbt, or
// else in the root project, and runs the native one when there is none. So a project that
// defines duckdb__dateadd or default__generate_schema_name gets its own SQL and names from
// dbt.dateadd(...) and from dbt's naming, as with dbt.
func (e *Env) dbtMacro(name string) (callable, bool) {
	if fn, ok := e.dbtFns.Load(name); ok {
		return fn.(callable), true
	}
	native, ok := dbtMacro(name)
	if !ok || !dispatchedByDBT(name) {
		return native, ok
	}
	fn, _ := e.dbtFns.LoadOrStore(name, callable(func(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		if d := e.dbtOverride(name); d != nil {
			if st := stateOfEval(ev); st != nil {
				st.usedMacro("macro.dbt." + name)
			}
			return d.fn(ev, va)
		}
		return native(ev, va)
	}))
	return fn.(callable), true
}

// DBTOverride is the unique id of the project's implementation of dbt's dispatched macro name
// (macro.my_project.default__generate_schema_name), "" when it has none.
func (e *Env) DBTOverride(name string) string {
	if !dispatchedByDBT(name) {
		return ""
	}
	if d := e.dbtOverride(name); d != nil {
		return d.UniqueID
	}
	return ""
}

// dbtOverride is the project's implementation of dbt's dispatched macro name, or nil.
func (e *Env) dbtOverride(name string) *macroDef {
	search := e.opts.DispatchOrder["dbt"]
	if len(search) == 0 {
		search = []string{e.opts.RootPackage}
	}
	for _, pkg := range search {
		for _, prefix := range e.adapterChain {
			if d := e.byPkg[pkg][prefix+"__"+name]; d != nil {
				return d
			}
		}
	}
	return nil
}

// recordedMacro wraps a natively implemented macro so calls made by the template itself (not
// from inside another macro) are listed in Result.MacrosUsed, as dbt lists them in a node's
// depends_on.macros.
func recordedMacro(id string, fn callable) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		if st := stateOfEval(e); st != nil {
			st.usedMacro(id)
		}
		return fn(e, va)
	}
}
