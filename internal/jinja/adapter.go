package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// adapterNS is dbt's `adapter`. It resolves dispatch and quoting; everything that would ask
// the warehouse answers "nothing there" (no relation, no columns), as dbt does at parse time.
type adapterNS struct{ env *Env }

func (a *adapterNS) String() string { return a.env.opts.Adapter }

func (a *adapterNS) GetAttribute(name string) (*exec.Value, bool) {
	e := a.env
	fn := func(f func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value) (*exec.Value, bool) {
		return exec.AsValue(callable(f)), true
	}
	constant := func(v any) (*exec.Value, bool) {
		return fn(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(v) })
	}
	switch name {
	case "dispatch":
		return fn(e.dispatch)
	case "quote":
		return fn(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			s, _ := argString(va, 0, "identifier")
			return exec.AsValue(QuoteIdent(s, quoteChar(e.opts.Adapter)))
		})
	case "quote_as_configured", "quote_seed_column":
		return fn(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			s, _ := argString(va, 0, "identifier")
			return exec.AsValue(s)
		})
	case "type":
		return constant(e.opts.Adapter)
	case "get_relation":
		return fn(namedRelationFn)
	case "load_relation", "get_relation_last_modified":
		return constant(nil)
	case "get_columns_in_relation", "get_columns_in_table":
		return fn(func(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			out := []any{}
			st := stateOfEval(ev)
			if st != nil {
				st.askedCols = true
			}
			if st == nil || st.in.Columns == nil {
				return exec.AsValue(&out)
			}
			var rel Relation
			if v, ok := argValue(va, 0, "relation"); ok {
				switch r := v.Interface().(type) {
				case *relationValue:
					rel = r.Relation
				default:
					rel = relationFromString(v.String())
				}
			}
			if name == "get_columns_in_table" {
				s, _ := argString(va, 0, "schema")
				i, _ := argString(va, 1, "identifier")
				rel = Relation{Schema: s, Identifier: i}
			}
			if cols, ok := st.in.Columns(rel); ok {
				for _, c := range cols {
					out = append(out, &columnValue{Column: c, quote: quoteChar(e.opts.Adapter)})
				}
			}
			return exec.AsValue(&out)
		})
	case "get_missing_columns", "list_relations_without_caching",
		"list_relations", "list_schemas",
		"get_partitions_metadata":
		return fn(func(*exec.Evaluator, *exec.VarArgs) *exec.Value {
			out := []any{}
			return exec.AsValue(&out)
		})
	case "get_column_schema_from_query":
		return fn(columnSchemaFromQuery)
	case "check_schema_exists", "already_exists", "is_replaceable":
		return constant(false)
	case "standardize_grants_dict", "get_common_options", "get_table_options", "get_view_options":
		return constant(map[string]any{})
	case "config":
		return exec.AsValue(map[string]any{"credentials": map[string]any{"type": e.opts.Adapter}}), true
	case "Relation":
		return exec.AsValue(&apiRelation{env: e}), true
	case "Column":
		return exec.AsValue(&apiColumn{adapter: e.opts.Adapter}), true
	}
	// drop_relation, create_schema, rename_relation, ...: side effects on the warehouse,
	// which never happen here.
	return fn(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue("") })
}

// dispatch is adapter.dispatch(name, macro_namespace): the first of <adapter>__name, the
// parent adapters' versions, then default__name, in each package of the search order. The
// order is the project's `dispatch:` config for the namespace, else the root project then the
// namespace (dbt's default) when the namespace is an installed package; without a namespace,
// or with one that names no package (the Tuva project dispatches its own macros in namespace
// 'macros'), the calling package then the root project, as dbt searches then.
func (e *Env) dispatch(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	name, _ := argString(va, 0, "macro_name")
	ns, _ := argString(va, 1, "macro_namespace")
	var search []string
	if ns != "" {
		search = e.opts.DispatchOrder[ns]
		if _, installed := e.byPkg[ns]; len(search) == 0 && installed {
			search = []string{e.opts.RootPackage, ns}
		}
	}
	if len(search) == 0 {
		if s, ok := runningPackage(ev); ok {
			search = append(search, s)
		}
		search = append(search, e.opts.RootPackage)
	}
	if pk, ok := va.KwArgs["packages"]; ok && !pk.IsNil() {
		search = nil
		for _, p := range toList(pk) {
			search = append(search, exec.ToValue(p).String())
		}
	}
	for _, pkg := range search {
		for _, prefix := range e.adapterChain {
			if d := e.byPkg[pkg][prefix+"__"+name]; d != nil {
				return exec.AsValue(d.fn)
			}
		}
	}
	// dbt's own macros are the last place dbt looks.
	if fn, ok := dbtMacro(name); ok {
		return exec.AsValue(fn)
	}
	label := name
	if ns != "" {
		label = ns + "." + name
	}
	st := stateOfEval(ev)
	var f *fileInfo
	if st != nil {
		f = st.curFile
	}
	return exec.AsValue(newStub(&stubInfo{name: label, st: st, file: f}))
}

// apiNS is dbt's `api`: api.Relation.create(...) and api.Column.
type apiNS struct{ env *Env }

func (a *apiNS) String() string { return "api" }

func (a *apiNS) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "Relation":
		return exec.AsValue(&apiRelation{env: a.env}), true
	case "Column":
		return exec.AsValue(&apiColumn{adapter: a.env.opts.Adapter}), true
	}
	return exec.AsValue(newStub(&stubInfo{name: "api." + name, quiet: true})), true
}

type apiRelation struct{ env *Env }

func (a *apiRelation) String() string { return "Relation" }

func (a *apiRelation) GetAttribute(name string) (*exec.Value, bool) {
	if name != "create" {
		return exec.AsValue(newStub(&stubInfo{name: "api.Relation." + name, quiet: true})), true
	}
	return exec.AsValue(callable(func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		var r Relation
		r.Database, _ = argString(va, 0, "database")
		r.Schema, _ = argString(va, 1, "schema")
		r.Identifier, _ = argString(va, 2, "identifier")
		rel := a.env.newRelation(r)
		if t, ok := va.KwArgs["type"]; ok && !t.IsNil() {
			rel.kind = t.String()
		}
		return exec.AsValue(rel)
	})), true
}

// UnknownType is the data_type of a column whose type is not known (columns inferred by name
// only): macros write it into SQL (dbt_utils.union_relations casts null as each column's
// type), where an empty type would not parse; column inference reads it as unknown.
const UnknownType = "dataops_unknown_type"

// columnValue is dbt's Column: name, data type and the type predicates macros use.
type columnValue struct {
	Column
	quote byte
}

func (c *columnValue) String() string { return c.Name }

func (c *columnValue) GetAttribute(name string) (*exec.Value, bool) {
	t := strings.ToLower(c.DataType)
	pred := func(ok bool) (*exec.Value, bool) {
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(ok) }), true
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	switch name {
	case "name", "column":
		return exec.AsValue(c.Name), true
	case "quoted":
		return exec.AsValue(QuoteIdent(c.Name, c.quote)), true
	case "data_type", "dtype":
		if c.DataType == "" {
			return exec.AsValue(UnknownType), true
		}
		return exec.AsValue(c.DataType), true
	case "is_string":
		return pred(has("char", "text", "string"))
	case "is_number", "is_numeric":
		return pred(has("int", "numeric", "decimal", "number", "float", "double", "real"))
	case "is_integer":
		return pred(has("int") && !has("interval"))
	case "is_float":
		return pred(has("float", "double", "real"))
	case "char_size", "numeric_precision", "numeric_scale":
		return exec.AsValue(nil), true
	case "string_size":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(nil) }), true
	}
	return exec.AsValue(nil), false
}
