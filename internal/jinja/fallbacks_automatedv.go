package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// AutomateDV (formerly dbtvault) builds a Data Vault from metadata: each staging model is one
// stage() call and each hub, link and satellite one hub()/link()/sat() call naming its columns
// and its source model. Without the package installed (a pull request reviewed before `dbt
// deps`) those rendered empty: no edge to the source model, no column. The stand-ins below
// render the columns the macros select, from the same arguments, and the ref or source they
// read, so the graph and the column lineage survive. Hashes are an md5 of the columns, as the
// package computes them, without its null handling.
func init() {
	missingPackageFallbacks["automate_dv"] = map[string]callable{
		"hash":    dvHash,
		"stage":   dvStage,
		"hub":     dvTable(true, "src_pk", "src_nk", "src_ldts", "src_source", "source_model"),
		"link":    dvTable(true, "src_pk", "src_fk", "src_ldts", "src_source", "source_model"),
		"t_link":  dvTable(false, "src_pk", "src_fk", "src_payload", "src_eff", "src_ldts", "src_source", "source_model"),
		"sat":     dvTable(false, "src_pk", "src_hashdiff", "src_payload", "src_extra_columns", "src_eff", "src_ldts", "src_source", "source_model"),
		"eff_sat": dvTable(false, "src_pk", "src_dfk", "src_sfk", "src_extra_columns", "src_start_date", "src_end_date", "src_eff", "src_ldts", "src_source", "source_model"),
		"ma_sat":  dvTable(false, "src_pk", "src_cdk", "src_hashdiff", "src_payload", "src_extra_columns", "src_eff", "src_ldts", "src_source", "source_model"),
	}
}

// dvNames reads a column argument: a name, a list of names, or a mapping with source_column
// (and alias, as src_hashdiff has); each entry is what the select lists.
func dvNames(v *exec.Value) []string {
	if v == nil || v.IsNil() {
		return nil
	}
	if _, ok := v.Interface().(undefinedArg); ok {
		return nil
	}
	if v.IsString() {
		if s := strings.TrimSpace(v.String()); s != "" {
			return []string{s}
		}
		return nil
	}
	if d, ok := v.Interface().(*exec.Dict); ok {
		src := dictString(d, "source_column")
		if alias := dictString(d, "alias"); alias != "" && src != "" && !strings.EqualFold(alias, src) {
			return []string{src + " AS " + alias}
		}
		if src != "" {
			return []string{src}
		}
		return nil
	}
	var out []string
	for _, item := range toList(v) {
		out = append(out, dvNames(exec.ToValue(item))...)
	}
	return out
}

// dvRelations are the relations source_model names: a model (ref), a list of models, or a
// mapping of a source's name to its table.
func dvRelations(e *exec.Evaluator, v *exec.Value) []string {
	if v == nil || v.IsNil() {
		return nil
	}
	if d, ok := v.Interface().(*exec.Dict); ok {
		var out []string
		for _, p := range d.Pairs {
			for _, table := range dvNames(p.Value) {
				rel := sourceFn(e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(p.Key.String()), exec.AsValue(table)}, KwArgs: map[string]*exec.Value{}})
				out = append(out, rel.String())
			}
		}
		return out
	}
	var out []string
	for _, name := range dvNames(v) {
		rel := refFn(e, &exec.VarArgs{Args: []*exec.Value{exec.AsValue(name)}, KwArgs: map[string]*exec.Value{}})
		out = append(out, rel.String())
	}
	return out
}

// dvHashExpr is the md5 of one column or of several joined with '||'.
func dvHashExpr(e *exec.Evaluator, cols []string) string {
	str := typeFor(adapterOf(e), "type_string")
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "coalesce(cast(" + c + " as " + str + "), '')"
	}
	if len(parts) == 1 {
		return "md5(" + parts[0] + ")"
	}
	return "md5(" + strings.Join(parts, " || '||' || ") + ")"
}

// dvHash is hash(columns, alias, is_hashdiff): the select item.
func dvHash(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	cols, _ := argValue(va, 0, "columns")
	alias, _ := argString(va, 1, "alias")
	names := dvNames(cols)
	if len(names) == 0 {
		return exec.AsSafeValue("")
	}
	out := dvHashExpr(e, names)
	if alias != "" {
		out += " AS " + alias
	}
	return exec.AsSafeValue(out)
}

// dvTable renders a hub, link or satellite: its columns, in the order of its parameters
// (source_model last), selected from each source model. A column named twice (src_eff and
// src_ldts both the load time) is selected once, as the package's prefix() and alias_all()
// keep the first of names equal but for case. A hub or a link keeps one row per src_pk that is
// not null, earliest src_ldts first, as the package's row_rank_1 does; that is its grain.
func dvTable(keyed bool, params ...string) callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		var cols, pk, ldts []string
		var rels []string
		seen := map[string]bool{}
		for i, p := range params {
			v, _ := argValue(va, i, p)
			if p == "source_model" {
				rels = dvRelations(e, v)
				continue
			}
			names := dvNames(v)
			switch p {
			case "src_pk":
				pk = names
			case "src_ldts":
				ldts = names
			}
			for _, c := range names {
				src, _, _ := strings.Cut(c, " AS ")
				if k := strings.ToLower(strings.TrimSpace(src)); !seen[k] {
					seen[k] = true
					cols = append(cols, c)
				}
			}
		}
		if len(cols) == 0 || len(rels) == 0 {
			return exec.AsSafeValue("")
		}
		selects := make([]string, len(rels))
		for i, r := range rels {
			selects[i] = "SELECT " + strings.Join(cols, ", ") + " FROM " + r
		}
		union := strings.Join(selects, "\nUNION ALL\n")
		if !keyed || len(pk) == 0 {
			return exec.AsSafeValue(union)
		}
		from := rels[0]
		if len(rels) > 1 {
			from = "(\n" + union + "\n) AS dv_source"
		}
		over := "PARTITION BY " + strings.Join(pk, ", ")
		if len(ldts) > 0 {
			over += " ORDER BY " + strings.Join(ldts, ", ")
		}
		notNull := make([]string, len(pk))
		for i, k := range pk {
			notNull[i] = k + " IS NOT NULL"
		}
		outer := make([]string, len(cols))
		for i, c := range cols {
			if _, alias, ok := strings.Cut(c, " AS "); ok {
				c = alias
			}
			outer[i] = c
		}
		return exec.AsSafeValue("SELECT " + strings.Join(outer, ", ") + " FROM (\n" +
			"SELECT " + strings.Join(cols, ", ") + ", ROW_NUMBER() OVER (" + over + ") AS dv_row_number\n" +
			"FROM " + from + "\nWHERE " + strings.Join(notNull, " AND ") + "\n) AS dv_rows\nWHERE dv_row_number = 1")
	}
}

// dvStage is stage(include_source_columns, source_model, hashed_columns, derived_columns,
// null_columns, ranked_columns): the source's columns (those not derived again), then the
// derived, the hashed and the ranked ones, each step reading the one before as the macro's
// CTEs do.
func dvStage(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	include := true
	if v, ok := argValue(va, 0, "include_source_columns"); ok && !v.IsNil() {
		include = v.IsTrue()
	}
	src, _ := argValue(va, 1, "source_model")
	rels := dvRelations(e, src)
	if len(rels) == 0 {
		return exec.AsSafeValue("")
	}
	hashed, _ := argValue(va, 2, "hashed_columns")
	derived, _ := argValue(va, 3, "derived_columns")
	ranked, _ := argValue(va, 5, "ranked_columns")
	var derivedItems, hashedItems, rankedItems []string
	var names, derivedNames, hashedNames, rankedNames []string
	forEach := func(v *exec.Value, into *[]string, fn func(name string, def *exec.Value)) {
		if v == nil {
			return
		}
		if d, ok := v.Interface().(*exec.Dict); ok {
			for _, p := range d.Pairs {
				name := p.Key.String()
				fn(name, p.Value)
				names = append(names, name)
				*into = append(*into, name)
			}
		}
	}
	forEach(derived, &derivedNames, func(name string, def *exec.Value) {
		expr := ""
		switch {
		case def.IsString():
			expr = def.String()
			if c, ok := strings.CutPrefix(expr, "!"); ok {
				expr = "'" + strings.ReplaceAll(c, "'", "''") + "'"
			}
		default:
			if cols := dvNames(def); len(cols) == 1 {
				expr = cols[0]
			} else if len(cols) > 1 {
				expr = "concat_ws('||', " + strings.Join(cols, ", ") + ")"
			}
		}
		if expr != "" {
			derivedItems = append(derivedItems, expr+" AS "+name)
		}
	})
	forEach(hashed, &hashedNames, func(name string, def *exec.Value) {
		cols := dvNames(def)
		if d, ok := def.Interface().(*exec.Dict); ok {
			c, _ := dictValue(d, "columns")
			cols = dvNames(c)
		}
		if len(cols) > 0 {
			hashedItems = append(hashedItems, dvHashExpr(e, cols)+" AS "+name)
		}
	})
	forEach(ranked, &rankedNames, func(name string, def *exec.Value) {
		d, ok := def.Interface().(*exec.Dict)
		if !ok {
			return
		}
		over := []string{}
		if p, ok := dictValue(d, "partition_by"); ok {
			if cols := dvNames(p); len(cols) > 0 {
				over = append(over, "PARTITION BY "+strings.Join(cols, ", "))
			}
		}
		if o, ok := dictValue(d, "order_by"); ok {
			if cols := dvNames(o); len(cols) > 0 {
				over = append(over, "ORDER BY "+strings.Join(cols, ", "))
			}
		}
		rankedItems = append(rankedItems, "RANK() OVER ("+strings.Join(over, " ")+") AS "+name)
	})
	var b strings.Builder
	b.WriteString("WITH source_data AS (\n    SELECT * FROM " + rels[0] + "\n)")
	last := "source_data"
	// Each step replaces the columns of the names it makes, as the macro's CTEs do.
	step := func(cte string, items, replaced []string) {
		if len(items) == 0 {
			return
		}
		star := "*"
		if len(replaced) > 0 {
			star = "* EXCLUDE (" + strings.Join(replaced, ", ") + ")"
		}
		b.WriteString(",\n" + cte + " AS (\n    SELECT " + star + ",\n    " + strings.Join(items, ",\n    ") + "\n    FROM " + last + "\n)")
		last = cte
	}
	step("derived_columns", derivedItems, derivedNames)
	step("hashed_columns", hashedItems, hashedNames)
	step("ranked_columns", rankedItems, rankedNames)
	if include {
		b.WriteString("\nSELECT * FROM " + last)
	} else {
		b.WriteString("\nSELECT " + strings.Join(names, ", ") + " FROM " + last)
	}
	return exec.AsSafeValue(b.String())
}
