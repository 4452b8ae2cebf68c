package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Every Fivetran source package builds its staging models with fivetran_utils: the columns of a
// staging model are the list its own get_<table>_columns() macro returns, passed through
// fill_staging_columns, plus source_relation. Without fivetran_utils installed these rendered
// empty, leaving `select , from base`: no column of any Fivetran staging model was known. The
// stand-ins below render the same select items fivetran_utils renders when it cannot see the
// warehouse (a column the source is not known to have becomes a typed null), so names, types
// and aliases survive.
func init() {
	missingPackageFallbacks["fivetran_utils"] = map[string]callable{
		"fill_staging_columns": fillStagingColumns,
		"union_connections":    unionConnections,
		// enabled_vars decides whether a model, or a column of a model, exists: a stub is
		// false, which left columns out and, under `and`, left config(enabled=...) a stub
		// (a disabled model then read as enabled).
		"enabled_vars":          enabledVars(true),
		"enabled_vars_one_true": enabledVars(false),
		"apply_source_relation": applySourceRelation,
		"json_parse":            jsonParse,
		"partition_by_source_relation": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			pkg, _ := argString(va, 0, "package_name")
			if len(toList(callVar(e, pkg+"_sources", []any{}))) < 2 &&
				len(toList(callVar(e, pkg+"_union_schemas", []any{}))) < 2 &&
				len(toList(callVar(e, pkg+"_union_databases", []any{}))) < 2 {
				return exec.AsSafeValue("")
			}
			prefix := ""
			if a, ok := argValue(va, 2, "alias"); ok && !a.IsNil() && a.String() != "" {
				prefix = a.String() + "."
			}
			if other, ok := argString(va, 1, "has_other_partitions"); ok && other == "no" {
				return exec.AsSafeValue("partition by " + prefix + "source_relation")
			}
			return exec.AsSafeValue(", " + prefix + "source_relation")
		},
		"array_agg": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			f, _ := argString(va, 0, "field_to_agg")
			if adapterOf(e) == "redshift" {
				return exec.AsSafeValue("listagg(" + f + ", ',')")
			}
			return exec.AsSafeValue("array_agg(" + f + ")")
		},
		"source_relation": func(e *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
			return exec.AsSafeValue(", cast('' as " + typeFor(adapterOf(e), "type_string") + ") as source_relation")
		},
		"string_agg": func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			f, _ := argString(va, 0, "field_to_agg")
			d, _ := argString(va, 1, "delimiter")
			fn := "string_agg"
			switch adapterOf(e) {
			case "snowflake", "redshift":
				fn = "listagg"
			}
			return exec.AsSafeValue(fn + "(" + f + ", " + d + ")")
		},
	}
}

// unionConnections is fivetran_utils.union_connections(connection_dictionary,
// single_source_name, single_table_name), with which current Fivetran packages build every
// `_tmp` staging model. Rendered empty, the model had no SQL, no columns and no edge to its
// source. Like the macro it selects the source's columns, and nothing more when the project
// names no connections (the compiled SQL of Fivetran's own docs lists the source's columns
// alone); with the connections of the var named by connection_dictionary it unions each
// connection's source with _dbt_source_relation when the project says it defined them
// (has_defined_sources), and otherwise, as the macro does when it cannot see the warehouse,
// selects no row of _dbt_source_relation alone.
func unionConnections(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	src, _ := argString(va, 1, "single_source_name")
	table, _ := argString(va, 2, "single_table_name")
	str := typeFor(adapterOf(e), "type_string")
	selectFrom := func(source, label string) string {
		rel := sourceFn(e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(source), exec.AsValue(table)}, KwArgs: map[string]*exec.Value{}})
		return "select *, cast('" + label + "' as " + str + ") as _dbt_source_relation from " + rel.String() + " as source_table"
	}
	var conns []any
	if dict, ok := argString(va, 0, "connection_dictionary"); ok && dict != "" {
		conns = toList(callVar(e, dict, []any{}))
	}
	if len(conns) == 0 {
		rel := sourceFn(e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(src), exec.AsValue(table)}, KwArgs: map[string]*exec.Value{}})
		return exec.AsSafeValue("select * from " + rel.String() + " as source_table")
	}
	if callVar(e, "has_defined_sources", false).IsTrue() {
		var parts []string
		for _, c := range conns {
			if name := connectionName(c); name != "" {
				parts = append(parts, selectFrom(name, name))
			}
		}
		if len(parts) > 0 {
			return exec.AsSafeValue(strings.Join(parts, "\nunion all\n"))
		}
	}
	return exec.AsSafeValue("select cast(null as " + str + ") as _dbt_source_relation limit 0")
}

// callVar is var(name, def) as the template would call it, scoped to the node's package.
func callVar(e *exec.Evaluator, name string, def any) *exec.Value {
	return varFn(e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(name), exec.AsValue(def)}, KwArgs: map[string]*exec.Value{}})
}

// enabledVars is fivetran_utils.enabled_vars(vars) (all) and enabled_vars_one_true(vars)
// (any): whether the vars, true and false by default respectively, are true.
func enabledVars(all bool) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		v, _ := argValue(va, 0, "vars")
		for _, name := range toList(v) {
			on := callVar(e, exec.ToValue(name).String(), all).IsTrue()
			if on != all {
				return exec.AsValue(on)
			}
		}
		return exec.AsValue(all)
	}
}

// applySourceRelation is fivetran_utils.apply_source_relation(package_name): the
// source_relation column every staging model of a current Fivetran package ends with.
func applySourceRelation(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	pkg, _ := argString(va, 0, "package_name")
	if len(toList(callVar(e, pkg+"_sources", []any{}))) > 0 {
		return exec.AsSafeValue(", _dbt_source_relation as source_relation")
	}
	return exec.AsSafeValue(", cast('' as " + typeFor(adapterOf(e), "type_string") + ") as source_relation")
}

// connectionName is the name of one connection of a union_connections var: a YAML mapping
// from the project's vars, or a dict a template built.
func connectionName(c any) string {
	switch x := c.(type) {
	case *exec.Dict:
		return dictString(x, "name")
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			return s
		}
	}
	return ""
}

// jsonParse is fivetran_utils.json_parse(string, string_path): the value at a path of a JSON
// text, in each warehouse's own syntax. Rendered empty it left `cast( as integer)` in the
// models that read SLA targets from JSON (dbt_zendesk), which no parser reads.
func jsonParse(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	s, _ := argString(va, 0, "string")
	var path []string
	if v, ok := argValue(va, 1, "string_path"); ok {
		for _, p := range toList(v) {
			path = append(path, strings.ReplaceAll(exec.ToValue(p).String(), "'", "''"))
		}
	}
	if strings.TrimSpace(s) == "" || len(path) == 0 {
		return exec.AsSafeValue("")
	}
	switch adapterOf(e) {
	case "bigquery":
		return exec.AsSafeValue("json_extract_scalar(" + s + ", '$." + strings.Join(path, ".") + "')")
	case "postgres":
		return exec.AsSafeValue("(" + s + "::json #>> '{" + strings.Join(path, ",") + "}')")
	case "snowflake":
		return exec.AsSafeValue("parse_json(" + s + ")['" + strings.Join(path, "']['") + "']")
	case "databricks", "spark":
		return exec.AsSafeValue(s + ":" + strings.Join(path, "."))
	case "sqlserver", "fabric":
		return exec.AsSafeValue("json_value(" + s + ", '$." + strings.Join(path, ".") + "')")
	}
	return exec.AsSafeValue("json_extract_path_text(" + s + ", '" + strings.Join(path, "', '") + "')")
}

func adapterOf(e *exec.Evaluator) string {
	if st := stateOfEval(e); st != nil {
		return st.env.opts.Adapter
	}
	return ""
}

// fillStagingColumns is fivetran_utils.fill_staging_columns(source_columns, staging_columns):
// each staging column (a dict of name, datatype, and optionally alias and quote) is selected by
// name when the source has it, else as a null of its datatype, and named by its alias or name.
func fillStagingColumns(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	have := map[string]bool{}
	if v, ok := argValue(va, 0, "source_columns"); ok {
		for _, c := range toList(v) {
			if name := columnName(c); name != "" {
				have[strings.ToLower(name)] = true
			}
		}
	}
	staging, ok := argValue(va, 1, "staging_columns")
	if !ok {
		return exec.AsSafeValue("")
	}
	var items []string
	for _, c := range toList(staging) {
		d, ok := c.(*exec.Dict)
		if !ok {
			continue
		}
		name := dictString(d, "name")
		if name == "" {
			continue
		}
		col := name
		if q, ok := dictValue(d, "quote"); ok && q.IsTrue() {
			col = quoteColumn(adapterOf(e), name)
		}
		as := col
		if a := dictString(d, "alias"); a != "" {
			as = a
		}
		if have[strings.ToLower(name)] {
			items = append(items, col+" as "+as)
		} else {
			items = append(items, "cast(null as "+dictString(d, "datatype")+") as "+as)
		}
	}
	return exec.AsSafeValue(strings.Join(items, ",\n    "))
}

// quoteColumn quotes a name the way fivetran_utils.quote_column does for each warehouse.
func quoteColumn(adapter, name string) string {
	switch adapter {
	case "bigquery", "spark", "databricks":
		return "`" + name + "`"
	case "snowflake":
		return `"` + strings.ToUpper(name) + `"`
	}
	return `"` + name + `"`
}

func columnName(c any) string {
	switch x := c.(type) {
	case *columnValue:
		return x.Name
	case *exec.Dict:
		return dictString(x, "name")
	case string:
		return x
	}
	return ""
}

func dictValue(d *exec.Dict, key string) (*exec.Value, bool) {
	for _, p := range d.Pairs {
		if p.Key != nil && p.Key.String() == key {
			return p.Value, true
		}
	}
	return nil, false
}

func dictString(d *exec.Dict, key string) string {
	if v, ok := dictValue(d, key); ok && v != nil && !v.IsNil() {
		return v.String()
	}
	return ""
}
