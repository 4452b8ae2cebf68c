package jinja

import (
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// missingPackageFallbacks stand in for the most used dbt_utils macros when dbt_utils is not
// installed (the common case when a PR is reviewed without `dbt deps`). An empty stub would
// leave `select , as sk from ...`, which no SQL parser can read; these render what dbt_utils
// renders when it cannot see the warehouse, so column lineage survives. The call is still
// reported as an unknown macro.
var missingPackageFallbacks = map[string]map[string]callable{
	"dbt_utils": {
		"generate_surrogate_key": surrogateKey("_dbt_utils_surrogate_key_null_"),
		"surrogate_key":          surrogateKey(""),
		"safe_divide": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			n, _ := argString(va, 0, "numerator")
			d, _ := argString(va, 1, "denominator")
			return exec.AsSafeValue("( " + n + " ) / nullif( ( " + d + " ), 0)")
		},
		"safe_add": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			var parts []string
			if v, ok := argValue(va, 0, "field_list"); ok {
				for _, f := range toList(v) {
					parts = append(parts, "coalesce("+exec.ToValue(f).String()+", 0)")
				}
			}
			return exec.AsSafeValue(strings.Join(parts, " +\n  "))
		},
		"star":                             starFallback,
		"get_filtered_columns_in_relation": filteredColumns,
		// slugify names the columns of a loop over another relation's columns (`as {{
		// dbt_utils.slugify(c ~ '_daily') }}`); rendered empty, each alias would be lost.
		"slugify": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			s, _ := argString(va, 0, "string")
			return exec.AsValue(slugify(s))
		},
		"group_by": func(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			n := 0
			if v, ok := argValue(va, 0, "n"); ok {
				n = v.Integer()
			}
			cols := make([]string, 0, n)
			for i := 1; i <= n && i <= 1000; i++ {
				cols = append(cols, strconv.Itoa(i))
			}
			return exec.AsSafeValue("group by " + strings.Join(cols, ","))
		},
	},
}

// starFallback is dbt_utils.star(from, except, relation_alias) as the star it stands for:
// `[alias.]*`, with ` exclude (...)` for the except list, which the column engine expands from
// what is known upstream. dbt_utils itself returns a bare `*` while parsing, losing both; the
// column engine restores them where the call is in the model's own text, but a call inside a
// project macro (Fivetran's engagement macros select `dbt_utils.star(from=base_model,
// relation_alias="base", except=[...])`) can only be rendered whole here. With a prefix or
// suffix the columns are renamed, which no star says: that call renders nothing, as before.
func starFallback(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	for i, kw := range map[int]string{3: "prefix", 4: "suffix"} {
		if v, ok := argValue(va, i, kw); ok && !v.IsNil() && v.String() != "" {
			return exec.AsSafeValue("")
		}
	}
	out := "*"
	if a, ok := argValue(va, 1, "relation_alias"); ok && !a.IsNil() && a.IsTrue() {
		out = a.String() + ".*"
	}
	if ex, ok := argValue(va, 2, "except"); ok {
		var names []string
		for _, x := range toList(ex) {
			if n := exec.ToValue(x).String(); n != "" {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			out += " exclude (" + strings.Join(names, ", ") + ")"
		}
	}
	return exec.AsSafeValue(out)
}

// slugify is dbt_utils.slugify: lower case, runs of spaces and dashes become one underscore,
// anything but letters, digits and underscores is dropped, and a leading digit gets an
// underscore before it, so the result is a bare identifier.
func slugify(s string) string {
	var b strings.Builder
	run := false // in a run of spaces and dashes, already written as one underscore
	for _, r := range strings.ToLower(s) {
		if r == ' ' || r == '-' {
			if !run {
				b.WriteByte('_')
			}
			run = true
			continue
		}
		run = false
		if r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// surrogateKey is dbt_utils' key: md5 of the fields cast to text, nulls replaced, joined by '-'.
func surrogateKey(null string) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		adapter := ""
		if st := stateOfEval(e); st != nil {
			adapter = st.env.opts.Adapter
		}
		str := typeFor(adapter, "type_string")
		var fields []*exec.Value
		if v, ok := argValue(va, 0, "field_list"); ok {
			if v.IsList() {
				for _, f := range toList(v) {
					fields = append(fields, exec.ToValue(f))
				}
			} else {
				fields = append(fields, v)
			}
		}
		fields = append(fields, va.Args[min(1, len(va.Args)):]...)
		var parts []*exec.Value
		for i, f := range fields {
			if i > 0 {
				parts = append(parts, exec.AsValue("'-'"))
			}
			parts = append(parts, exec.AsValue("coalesce(cast("+f.String()+" as "+str+"), '"+null+"')"))
		}
		list := make([]any, len(parts))
		for i, p := range parts {
			list[i] = p.Interface()
		}
		concat := crossDB["concat"](e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(&list)}, KwArgs: map[string]*exec.Value{}})
		return crossDB["hash"](e, &exec.VarArgs{Args: []*exec.Value{concat}, KwArgs: map[string]*exec.Value{}})
	}
}

// filteredColumns is dbt_utils.get_filtered_columns_in_relation(from, except=[]): the names
// of the relation's columns not in except (compared lowercased). Like dbt_utils it is an empty string
// while parsing, unless the caller answers column questions (Input.Columns), in which case
// it gives the list dbt would compile with. Either way the render counts as having asked
// for columns, so a caller that knows them renders it again.
func filteredColumns(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if st == nil {
		return exec.AsValue("")
	}
	st.askedCols = true
	if st.in.Columns == nil {
		if !st.in.Execute {
			return exec.AsValue("")
		}
		out := []any{}
		return exec.AsValue(&out)
	}
	var rel Relation
	if v, ok := argValue(va, 0, "from"); ok {
		if r, ok := v.Interface().(*relationValue); ok {
			rel = r.Relation
		} else {
			rel = relationFromString(v.String())
		}
	}
	except := map[string]bool{}
	if v, ok := argValue(va, 1, "except"); ok && !v.IsNil() {
		for _, x := range toList(v) {
			except[strings.ToLower(exec.ToValue(x).String())] = true
		}
	}
	out := []any{}
	if cols, ok := st.in.Columns(rel); ok {
		for _, c := range cols {
			if !except[strings.ToLower(c.Name)] {
				out = append(out, c.Name)
			}
		}
	}
	return exec.AsValue(&out)
}

// fallbackFor returns the stand-in for pkg.name when pkg is not installed: one of the
// above, or dbt's cross-database macro of that name (dbt_utils had them before dbt did).
func fallbackFor(pkg, name string) (callable, bool) {
	if fn, ok := missingPackageFallbacks[pkg][name]; ok {
		return fn, true
	}
	if pkg == "dbt_utils" {
		if fn, ok := crossDB[name]; ok {
			return fn, true
		}
	}
	return nil, false
}
