package runner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/warehouse"
)

// TestSpec is a generic data test on a model, seed or source: what a property file declares,
// or what a caller (the Test Enhancer) wants to try.
type TestSpec struct {
	Name      string         // not_null, accepted_values, unique_combination_of_columns, ...
	Namespace string         // "dbt_utils" for dbt_utils tests, "" for dbt's own
	Attached  string         // unique id of the model, seed or source tested
	Column    string         // column_name, when the test is on a column
	Kwargs    map[string]any // the test's arguments
	Config    map[string]any // where, severity, warn_if, error_if, limit, fail_calc
}

// builtin lists the tests whose SQL dataops writes itself, by (namespace, name). dbt_utils
// tests are generated whether or not the package is installed.
var builtin = map[string]func(g *gen) (string, error){
	"not_null":        notNull,
	"unique":          unique,
	"accepted_values": acceptedValues,
	"relationships":   relationships,
	"dbt_utils.unique_combination_of_columns": uniqueCombination,
	"dbt_utils.expression_is_true":            expressionIsTrue,
	"dbt_utils.accepted_range":                acceptedRange,
	"dbt_utils.not_null_proportion":           notNullProportion,
	"dbt_utils.not_constant":                  notConstant,
	"dbt_utils.at_least_one":                  atLeastOne,
	"dbt_utils.recency":                       recency,
}

// Builtin says whether dataops generates a test's SQL itself.
func Builtin(namespace, name string) bool {
	_, ok := builtin[testKey(namespace, name)]
	return ok
}

func testKey(namespace, name string) string {
	if namespace == "" {
		switch name {
		case "not_null", "unique", "accepted_values", "relationships":
			return name
		}
		// dbt_utils tests are often called without the namespace when a project re-exports them.
		if _, ok := builtin["dbt_utils."+name]; ok {
			return "dbt_utils." + name
		}
		return name
	}
	return namespace + "." + name
}

// gen holds what one generic test's SQL is written from.
//
// Names in a test's arguments (the tested column, relationships' field, the columns of
// unique_combination_of_columns, group_by_columns, recency's field, a relation written out)
// are quoted by the warehouse's rules whatever they hold, so a name can never end the query it
// sits in. Values of accepted_values are quoted literals. What dbt defines as SQL stays SQL: the
// where config, expression_is_true's expression, fail_calc, accepted_range's bounds and a
// model-level test's column_name; those are project SQL, like a singular test, and still run
// as exactly one statement.
type gen struct {
	c      *compiler
	wh     warehouse.Warehouse
	d      warehouse.Dialect
	from   string // package of the test, for resolving refs in arguments
	model  string // the tested relation (or a filtered subquery of it) as SQL
	column string // the tested column as SQL
	// columnArg is column_name as a {% test %} macro gets it: the name as written when it is
	// a plain or quoted identifier (dbt passes names unquoted), else quoted.
	columnArg string
	kwargs    map[string]any
	eph       []*dbt.Node
}

func (g *gen) arg(name string) (any, bool) {
	v, ok := g.kwargs[name]
	if ok && v != nil {
		return v, true
	}
	return nil, false
}

func (g *gen) str(name string) (string, error) {
	v, ok := g.arg(name)
	if !ok {
		return "", fmt.Errorf("argument %q is required", name)
	}
	return fmt.Sprint(v), nil
}

func (g *gen) col() (string, error) {
	if g.column == "" {
		return "", fmt.Errorf("the test needs a column (column_name)")
	}
	return g.column, nil
}

func (g *gen) boolArg(name string, def bool) bool {
	v, ok := g.arg(name)
	if !ok {
		return def
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(x)
		if err == nil {
			return b
		}
	}
	return def
}

// name reads an argument that is a column name, quoted for SQL.
func (g *gen) name(arg string) (string, error) {
	s, err := g.str(arg)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("argument %q is empty", arg)
	}
	return g.d.Name(s), nil
}

// names reads an argument that is a list of column names, quoted for SQL: as written with
// exact set (quote_columns), else each meaning what it means unquoted.
func (g *gen) names(arg string, exact bool) ([]string, error) {
	list, err := g.list(arg)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, n := range list {
		if exact {
			out[i] = g.d.Ident(n)
		} else {
			out[i] = g.d.Name(n)
		}
	}
	return out, nil
}

// number reads an argument that must be a number and writes it for SQL.
func (g *gen) number(arg string) (string, error) {
	s, err := g.str(arg)
	if err != nil {
		return "", err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return "", fmt.Errorf("argument %q: %q is not a number", arg, s)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

func (g *gen) list(name string) ([]string, error) {
	v, ok := g.arg(name)
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out, nil
	case []string:
		return x, nil
	case string:
		return []string{x}, nil
	}
	return nil, fmt.Errorf("argument %q must be a list", name)
}

var (
	reRefArg    = lazyregexp.New(`^\s*(?:\{\{\s*)?ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,\s*v(?:ersion)?\s*=\s*['"]?([\w.]+)['"]?\s*)?\)\s*(?:\}\})?\s*$`)
	reSourceArg = lazyregexp.New(`^\s*(?:\{\{\s*)?source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*(?:\}\})?\s*$`)
)

// relationArg resolves an argument holding ref('x') or source('a', 'b') to SQL.
func (g *gen) relationArg(name string) (string, error) {
	s, err := g.str(name)
	if err != nil {
		return "", err
	}
	if m := reRefArg.FindStringSubmatch(s); m != nil {
		pkg, model := "", m[1]
		if m[2] != "" {
			pkg, model = m[1], m[2]
		}
		n := g.c.lookup(g.from, pkg, model, m[3])
		if n == nil {
			return "", fmt.Errorf("%s: ref('%s') not found in the project", name, model)
		}
		if materialized(n) == warehouse.Ephemeral {
			g.eph = append(g.eph, n)
			return cteName(n), nil
		}
		return g.wh.Render(g.c.relation(n)), nil
	}
	if m := reSourceArg.FindStringSubmatch(s); m != nil {
		src := g.c.source(m[1], m[2])
		if src == nil {
			return "", fmt.Errorf("%s: source('%s', '%s') not found in the project", name, m[1], m[2])
		}
		return g.wh.Render(g.c.sourceRelation(src)), nil
	}
	// A relation written out in full: one to three names separated by dots.
	parts, ok := splitRelation(s)
	if !ok {
		return "", fmt.Errorf("%s: %q is not ref(), source() or a relation name", name, s)
	}
	for i, p := range parts {
		parts[i] = g.d.Name(p)
	}
	return strings.Join(parts, "."), nil
}

// splitRelation splits a relation name such as analytics."Orders" at the dots outside
// quotes; false unless it has one to three non-empty parts, each a plain name or one quoted
// identifier.
func splitRelation(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '.' && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	if quoted || len(parts) > 3 {
		return nil, false
	}
	for _, p := range parts {
		if !warehouse.PlainIdent(p) && !warehouse.QuotedIdent(p) {
			return nil, false
		}
	}
	return parts, true
}

// sqlLiteral renders an accepted value for SQL: a quoted literal, or with quote false (dbt's
// way to compare numbers and booleans) a number, boolean or null written bare.
func sqlLiteral(d warehouse.Dialect, v any, quote bool) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case bool:
		if quote {
			return d.Literal(strconv.FormatBool(x)), nil
		}
		return strconv.FormatBool(x), nil
	}
	s := fmt.Sprint(v)
	if quote {
		return d.Literal(s), nil
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "false", "null":
		return strings.ToLower(strings.TrimSpace(s)), nil
	}
	return "", fmt.Errorf("value %q: with quote: false, values must be numbers, booleans or null", s)
}

func notNull(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("select %s\nfrom %s\nwhere %s is null", c, g.model, c), nil
}

func unique(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("select %s as unique_field, count(*) as n_records\nfrom %s\nwhere %s is not null\ngroup by %s\nhaving count(*) > 1", c, g.model, c, c), nil
}

func acceptedValues(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	v, ok := g.arg("values")
	if !ok {
		return "", fmt.Errorf("argument \"values\" is required")
	}
	vals, ok := v.([]any)
	if !ok {
		if ss, isStrs := v.([]string); isStrs {
			for _, s := range ss {
				vals = append(vals, s)
			}
		} else {
			return "", fmt.Errorf("argument \"values\" must be a list")
		}
	}
	if len(vals) == 0 {
		return "", fmt.Errorf("argument \"values\" is empty")
	}
	quote := g.boolArg("quote", true)
	lits := make([]string, len(vals))
	for i, v := range vals {
		if lits[i], err = sqlLiteral(g.d, v, quote); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("with all_values as (\n    select %s as value_field, count(*) as n_records\n    from %s\n    group by %s\n)\nselect *\nfrom all_values\nwhere value_field not in (%s)",
		c, g.model, c, strings.Join(lits, ", ")), nil
}

func relationships(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	to, err := g.relationArg("to")
	if err != nil {
		return "", err
	}
	field, err := g.name("field")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("with child as (\n    select %s as from_field\n    from %s\n    where %s is not null\n),\nparent as (\n    select %s as to_field\n    from %s\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null",
		c, g.model, c, field, to), nil
}

func uniqueCombination(g *gen) (string, error) {
	cols, err := g.names("combination_of_columns", g.boolArg("quote_columns", false))
	if err != nil {
		return "", err
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("argument \"combination_of_columns\" is required")
	}
	list := strings.Join(cols, ", ")
	return fmt.Sprintf("with validation_errors as (\n    select %s\n    from %s\n    group by %s\n    having count(*) > 1\n)\nselect *\nfrom validation_errors", list, g.model, list), nil
}

func expressionIsTrue(g *gen) (string, error) {
	expr, err := g.str("expression")
	if err != nil {
		return "", err
	}
	if g.column != "" {
		expr = g.column + " " + expr
	}
	return fmt.Sprintf("select *\nfrom %s\nwhere not(%s)", g.model, expr), nil
}

func acceptedRange(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	lo, hasLo := g.arg("min_value")
	hi, hasHi := g.arg("max_value")
	if !hasLo && !hasHi {
		return "", fmt.Errorf("accepted_range needs min_value or max_value")
	}
	ge, le := ">=", "<="
	if !g.boolArg("inclusive", true) {
		ge, le = ">", "<"
	}
	cond := "1 = 2"
	if hasLo {
		cond += fmt.Sprintf("\n    or not(%s %s %v)", c, ge, lo)
	}
	if hasHi {
		cond += fmt.Sprintf("\n    or not(%s %s %v)", c, le, hi)
	}
	return fmt.Sprintf("select *\nfrom %s\nwhere %s", g.model, cond), nil
}

func notNullProportion(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	lo, err := g.number("at_least")
	if err != nil {
		return "", err
	}
	hi := "1.0"
	if _, ok := g.arg("at_most"); ok {
		if hi, err = g.number("at_most"); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("with validation as (\n    select sum(case when %s is null then 0 else 1 end) / cast(count(*) as numeric) as not_null_proportion\n    from %s\n)\nselect not_null_proportion\nfrom validation\nwhere not_null_proportion < %s or not_null_proportion > %s",
		c, g.model, lo, hi), nil
}

func groupBy(g *gen) (sel, grp string, err error) {
	cols, err := g.names("group_by_columns", false)
	if err != nil || len(cols) == 0 {
		return "", "", err
	}
	list := strings.Join(cols, ", ")
	return list + ", ", "\ngroup by " + list, nil
}

func notConstant(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	sel, grp, err := groupBy(g)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("select %scount(distinct %s) as filler_column\nfrom %s%s\nhaving count(distinct %s) = 1", sel, c, g.model, grp, c), nil
}

func atLeastOne(g *gen) (string, error) {
	c, err := g.col()
	if err != nil {
		return "", err
	}
	sel, grp, err := groupBy(g)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("select %scount(%s) as filler_column\nfrom %s%s\nhaving count(%s) = 0", sel, c, g.model, grp, c), nil
}

var reDatepart = lazyregexp.New(`^(?i)(microsecond|millisecond|second|minute|hour|day|week|month|quarter|year)s?$`)

func recency(g *gen) (string, error) {
	field, err := g.name("field")
	if err != nil {
		return "", err
	}
	part, err := g.str("datepart")
	if err != nil {
		return "", err
	}
	if !reDatepart.MatchString(part) {
		return "", fmt.Errorf("datepart %q is not a date part", part)
	}
	iv, err := g.str("interval")
	if err != nil {
		return "", err
	}
	n, err := strconv.ParseFloat(iv, 64)
	if err != nil {
		return "", fmt.Errorf("interval %q is not a number", iv)
	}
	if strings.EqualFold(part, "quarter") || strings.EqualFold(part, "quarters") {
		part, n = "month", n*3
	}
	sel, grp, err := groupBy(g)
	if err != nil {
		return "", err
	}
	recent := "cast(max(" + field + ") as timestamp)"
	threshold := fmt.Sprintf("cast(current_timestamp as timestamp) - interval '%s %s'", strconv.FormatFloat(n, 'f', -1, 64), strings.ToLower(part))
	if g.boolArg("ignore_time_component", false) {
		recent = "cast(max(" + field + ") as date)"
		threshold = "cast(" + threshold + " as date)"
	}
	return fmt.Sprintf("with recency as (\n    select %s%s as most_recent\n    from %s%s\n)\nselect *, %s as threshold\nfrom recency\nwhere most_recent < %s or most_recent is null",
		sel, recent, g.model, grp, threshold, threshold), nil
}

// genericSQL writes the SQL of a generic test: the rows it returns are its failures. Tests
// dataops does not know are rendered from the project's (or a package's) {% test %} block.
func (c *compiler) genericSQL(wh warehouse.Warehouse, from string, spec TestSpec) (string, error) {
	if spec.Namespace == "" {
		// "dbt_utils.accepted_range" as the test's name.
		if ns, name, ok := strings.Cut(spec.Name, "."); ok {
			spec.Namespace, spec.Name = ns, name
		}
	}
	model, eph, err := c.attachedSQL(wh, spec.Attached)
	if err != nil {
		return "", err
	}
	if w := configString(spec.Config, "where"); w != "" {
		model = "(select * from " + model + " where " + w + ") dbt_subquery"
	}
	g := &gen{c: c, wh: wh, d: wh.Dialect(), from: from, model: model, kwargs: spec.Kwargs}
	if spec.Column != "" {
		g.column = g.d.Name(spec.Column)
		g.columnArg = g.column
		if warehouse.PlainIdent(spec.Column) || warehouse.QuotedIdent(spec.Column) {
			g.columnArg = spec.Column
		}
	} else if v, ok := spec.Kwargs["column_name"]; ok && v != nil {
		// A model-level test's column_name is SQL in dbt ("lower(email)", "a || b").
		g.column = fmt.Sprint(v)
		g.columnArg = g.column
	}
	var sql string
	if f, ok := builtin[testKey(spec.Namespace, spec.Name)]; ok {
		sql, err = f(g)
	} else {
		sql, err = c.customTest(g, from, spec)
	}
	if err != nil {
		return "", err
	}
	return c.inline(sql, append(eph, g.eph...), map[string]bool{})
}

// attachedSQL renders the tested relation, or the CTE name of an ephemeral model.
func (c *compiler) attachedSQL(wh warehouse.Warehouse, id string) (string, []*dbt.Node, error) {
	if n := c.p.Nodes[id]; n != nil {
		if materialized(n) == warehouse.Ephemeral {
			return cteName(n), []*dbt.Node{n}, nil
		}
		return wh.Render(c.relation(n)), nil, nil
	}
	if s := c.p.Sources[id]; s != nil {
		return wh.Render(c.sourceRelation(s)), nil, nil
	}
	return "", nil, fmt.Errorf("the tested node %s is not in the project", id)
}

// customTest renders a project's or package's generic test macro, called the way dbt calls it:
// model and column_name plus the test's arguments as keyword arguments.
func (c *compiler) customTest(g *gen, from string, spec TestSpec) (string, error) {
	macro := c.testMacro(from, spec)
	if macro == "" {
		name := spec.Name
		if spec.Namespace != "" {
			name = spec.Namespace + "." + name
		}
		return "", fmt.Errorf("generic test %q: no {%% test %s %%} block in the project or its packages", name, spec.Name)
	}
	if c.p.Jinja == nil {
		return "", fmt.Errorf("generic test %q needs the project's Jinja environment", spec.Name)
	}
	args := []string{"model=" + jinjaLiteral(g.model)}
	if g.columnArg != "" {
		args = append(args, "column_name="+jinjaLiteral(g.columnArg))
	}
	keys := make([]string, 0, len(spec.Kwargs))
	for k := range spec.Kwargs {
		if k != "model" && k != "column_name" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := spec.Kwargs[k]
		if s, ok := v.(string); ok && (reRefArg.MatchString(s) || reSourceArg.MatchString(s)) {
			// ref()/source() arguments are expressions, as dbt renders them.
			args = append(args, k+"="+strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{{"), "}}"))
			continue
		}
		args = append(args, k+"="+jinjaLiteral(v))
	}
	src := "{{ " + macro + "(" + strings.Join(args, ", ") + ") }}"
	host := &dbt.Node{UniqueID: "test." + from + "." + spec.Name, ResourceType: dbt.Test, Package: from, Name: spec.Name, Config: spec.Config}
	sql, eph, err := c.render(host, src, false)
	if err != nil {
		return "", err
	}
	g.eph = append(g.eph, eph...)
	if strings.TrimSpace(sql) == "" {
		return "", fmt.Errorf("generic test %q rendered to no SQL", spec.Name)
	}
	return sql, nil
}

// testMacro finds the macro implementing a custom generic test, as the Jinja name to call.
func (c *compiler) testMacro(from string, spec TestSpec) string {
	name := "test_" + spec.Name
	if spec.Namespace != "" {
		if c.p.Macros["macro."+spec.Namespace+"."+name] != nil {
			return spec.Namespace + "." + name
		}
		return ""
	}
	for _, pkg := range []string{from, c.p.Name} {
		if c.p.Macros["macro."+pkg+"."+name] != nil {
			return name
		}
	}
	var ids []string
	for id, m := range c.p.Macros {
		if m.Name == name {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	sort.Strings(ids)
	return c.p.Macros[ids[0]].Package + "." + name
}

// jinjaLiteral writes a YAML value as a Jinja literal.
func jinjaLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int, int64, uint64, float64, int32:
		return fmt.Sprint(x)
	case string:
		return strconv.Quote(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jinjaLiteral(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jinjaLiteral(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + jinjaLiteral(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return strconv.Quote(fmt.Sprint(v))
}
