package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Date spines and unions of relations, the package macros after star and the surrogate key
// that models most often are nothing but a call to: a calendar or MetricFlow time spine is
// `{{ dbt_utils.date_spine(...) }}` or `{{ dbt_date.get_base_dates(...) }}` (dbt's own
// jaffle-shop), and a model gathering one table per chain or region is
// `{{ dbt_utils.union_relations(relations=[ref(...), ...]) }}`. Rendered empty when the package
// is not installed, the model has no SQL, so no columns, and every model selecting from it
// loses them too.
func init() {
	crossDB["date_spine"] = dateSpine
	missingPackageFallbacks["dbt_utils"]["union_relations"] = unionRelations
	missingPackageFallbacks["dbt_utils"]["deduplicate"] = deduplicate
	dbtDateFallback("date_spine", dateSpine)
	dbtDateFallback("get_base_dates", baseDates)
}

// callCross renders one of dbt's cross-database macros with positional arguments.
func callCross(e *exec.Evaluator, name string, args ...string) string {
	va := &exec.VarArgs{KwArgs: map[string]*exec.Value{}}
	for _, a := range args {
		va.Args = append(va.Args, exec.AsValue(a))
	}
	return crossDB[name](e, va).String()
}

// dateSpine is dbt's date_spine(datepart, start_date, end_date) as dbt renders it while
// parsing, when the number of periods between the dates is not asked of the warehouse (one
// period): one column, date_<datepart>.
func dateSpine(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	part, _ := argString(va, 0, "datepart")
	start, _ := argString(va, 1, "start_date")
	end, _ := argString(va, 2, "end_date")
	return exec.AsSafeValue(spineSQL(e, part, start, end))
}

func spineSQL(e *exec.Evaluator, part, start, end string) string {
	part = strings.Trim(strings.TrimSpace(part), `'"`)
	if part == "" || !isIdent(part) {
		part = "day"
	}
	if strings.TrimSpace(start) == "" {
		start = "current_date"
	}
	col := "date_" + part
	var b strings.Builder
	b.WriteString("with rawdata as (\n    select 1 as generated_number\n),\n\nall_periods as (\n    select (\n        ")
	b.WriteString(callCross(e, "dateadd", part, "row_number() over (order by generated_number) - 1", start))
	b.WriteString("\n    ) as " + col + "\n    from rawdata\n),\n\nfiltered as (\n    select *\n    from all_periods\n")
	if strings.TrimSpace(end) != "" {
		b.WriteString("    where " + col + " <= " + end + "\n")
	}
	b.WriteString(")\n\nselect * from filtered\n")
	return b.String()
}

// baseDates is dbt_date.get_base_dates(start_date, end_date, n_dateparts, datepart): the spine
// between two literal dates, or over the last n_dateparts periods, cast to a timestamp.
func baseDates(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	ts := typeFor(adapterOf(e), "type_timestamp")
	start, _ := argString(va, 0, "start_date")
	end, _ := argString(va, 1, "end_date")
	n, _ := argString(va, 2, "n_dateparts")
	part, ok := argString(va, 3, "datepart")
	if !ok || part == "" {
		part = "day"
	}
	part = strings.Trim(strings.TrimSpace(part), `'"`)
	if !isIdent(part) {
		part = "day"
	}
	today := "cast(current_timestamp as date)"
	switch {
	case start != "" && end != "":
		start = "cast('" + start + "' as " + ts + ")"
		end = "cast('" + end + "' as " + ts + ")"
	case n != "":
		start = callCross(e, "dateadd", part, "-1 * "+n, today)
		end = callCross(e, "dateadd", "day", "1", today)
	}
	col := "date_" + part
	return exec.AsSafeValue("with date_spine as\n(\n" + spineSQL(e, part, start, end) + ")\nselect\n    cast(d." + col + " as " + ts + ") as " + col + "\nfrom\n    date_spine d\n")
}

// unionRelations is dbt_utils.union_relations(relations, exclude, column_override, include,
// source_column_name, where): each relation with the name it came from, matched by column
// name, as dbt_utils builds it from each relation's columns. Without a warehouse the columns
// are not known here, so it is written as a union by name of `select *` (less `exclude`, or
// just `include`), which the column engine expands from what is known upstream.
func unionRelations(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	rels, ok := argValue(va, 0, "relations")
	if !ok || rels.IsNil() {
		return exec.AsSafeValue("")
	}
	names := func(i int, kw string) []string {
		var out []string
		if v, ok := argValue(va, i, kw); ok && !v.IsNil() {
			for _, x := range toList(v) {
				if s := exec.ToValue(x).String(); s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	exclude, include := names(1, "exclude"), names(3, "include")
	srcCol := "_dbt_source_relation"
	if s, ok := argString(va, 4, "source_column_name"); ok && s != "" && isIdent(s) {
		srcCol = s
	}
	where, _ := argString(va, 5, "where")
	str := typeFor(adapterOf(e), "type_string")
	cols := "*"
	switch {
	case len(include) > 0:
		cols = strings.Join(include, ", ")
	case len(exclude) > 0:
		cols = "* exclude (" + strings.Join(exclude, ", ") + ")"
	}
	var parts []string
	for _, r := range toList(rels) {
		rel := exec.ToValue(r).String()
		if rel == "" {
			continue
		}
		q := "select\n    cast('" + strings.ReplaceAll(rel, "'", "''") + "' as " + str + ") as " + srcCol + ",\n    " + cols + "\nfrom " + rel
		if where != "" {
			q += "\nwhere " + where
		}
		parts = append(parts, "(\n"+q+"\n)")
	}
	return exec.AsSafeValue(strings.Join(parts, "\n\nunion all by name\n\n"))
}

// deduplicate is dbt_utils.deduplicate(relation, partition_by, order_by): one row per
// partition, with the relation's columns, as dbt_utils writes it for adapters without a
// dialect of their own, its CTE made a subquery: teams call it after their own CTEs, where a
// second WITH cannot stand. Rendered empty, a CTE holding the call would be `()`, and the
// model and everything downstream of it would lose their columns.
func deduplicate(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	rel, _ := argString(va, 0, "relation")
	part, _ := argString(va, 1, "partition_by")
	order, _ := argString(va, 2, "order_by")
	if strings.TrimSpace(rel) == "" {
		return exec.AsSafeValue("")
	}
	over := "partition by " + part
	if strings.TrimSpace(part) == "" {
		over = ""
	}
	if strings.TrimSpace(order) != "" {
		over += " order by " + order
	}
	return exec.AsSafeValue("select distinct data.*\nfrom " + rel + " as data\nnatural join (\n    select\n        _inner.*,\n        row_number() over (" +
		strings.TrimSpace(over) + ") as rn\n    from " + rel + " as _inner\n) as row_numbered\nwhere row_numbered.rn = 1\n")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
