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
