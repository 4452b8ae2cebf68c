package columns

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/sql/ast"
)

// exprInfo is what inference learns about a scalar expression.
type exprInfo struct {
	t       typ
	lineage []ColumnRef
	refs    []string   // names of the columns referenced (for PIVOT/UNPIVOT)
	direct  bool       // a plain column reference (possibly a struct field of one)
	agg     bool       // contains an aggregate outside any window
	win     bool       // contains a window function
	name    *ast.Ident // the name an unaliased item takes (a column or field name)
}

func (e exprInfo) kind() Kind {
	switch {
	case e.win:
		return KindWindow
	case e.agg:
		return KindAggregate
	case e.direct:
		return KindDirect
	}
	return KindTransform
}

// merge folds a sub-expression's lineage and flags into e (not its type or name).
func (e *exprInfo) merge(o exprInfo) {
	e.lineage = mergeLineage(e.lineage, o.lineage...)
	e.refs = append(e.refs, o.refs...)
	e.agg = e.agg || o.agg
	e.win = e.win || o.win
}

var comparisonOps = map[string]bool{
	"=": true, "==": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"<=>": true, "AND": true, "OR": true, "XOR": true, "OVERLAPS": true, "@>": true, "<@": true,
	"&&": true, "?": true, "?|": true, "?&": true, "~": true, "~*": true, "!~": true, "!~*": true,
	"IS": true, "LIKE": true, "ILIKE": true,
}

func (a *analyzer) expr(e ast.Expr, sc *scope) exprInfo {
	a.depth++
	defer func() { a.depth-- }()
	if a.depth > maxDepth*4 {
		return exprInfo{}
	}
	switch x := e.(type) {
	case nil:
		return exprInfo{}
	case *ast.ColumnRef:
		return a.columnRef(x, sc)
	case *ast.Literal:
		switch x.Kind {
		case ast.LitNumber:
			if strings.ContainsAny(x.Text, ".eE") && !strings.HasPrefix(strings.ToLower(x.Text), "0x") {
				return exprInfo{t: typeOf(a.d.decimalLiteral)}
			}
			return exprInfo{t: typeOf(a.d.intLiteral)}
		case ast.LitString:
			return exprInfo{t: a.d.family(fString)}
		case ast.LitBool:
			return exprInfo{t: a.d.family(fBool)}
		case ast.LitNull:
			return exprInfo{t: typ{fam: fNull}}
		}
	case *ast.TypedLiteral:
		return exprInfo{t: typeOf(typeText(x.Type))}
	case *ast.Interval:
		info := a.expr(x.Value, sc)
		info.t = a.d.family(fInterval)
		return info
	case *ast.Param, *ast.Template, *ast.BadExpr:
		return exprInfo{}
	case *ast.Binary:
		return a.binary(x, sc)
	case *ast.Unary:
		info := a.expr(x.X, sc)
		info.direct = false
		info.name = nil
		if strings.EqualFold(x.Op, "NOT") || x.Op == "!" && !x.Postfix {
			info.t = a.d.family(fBool)
		} else if x.Op == "PRIOR" || x.Op == "CONNECT_BY_ROOT" {
			info.direct = true
		}
		return info
	case *ast.Paren:
		return a.expr(x.X, sc)
	case *ast.Row:
		var info exprInfo
		for _, y := range x.Exprs {
			info.merge(a.expr(y, sc))
		}
		info.t = a.d.family(fStruct)
		return info
	case *ast.Func:
		return a.call(x, sc)
	case *ast.NamedArg:
		return a.expr(x.Value, sc)
	case *ast.KeywordArg:
		return a.expr(x.Value, sc)
	case *ast.Extract:
		info := a.expr(x.X, sc)
		info.direct, info.name = false, nil
		info.t = a.d.extractType(x.Field)
		return info
	case *ast.Cast:
		info := a.expr(x.X, sc)
		info.direct = info.direct && a.d.name == "postgres"
		if a.d.name != "postgres" && a.d.name != "redshift" {
			// only Postgres names `x::t` after x; elsewhere the item is unnamed
			info.name = nil
		}
		info.t = typeOf(typeText(x.Type))
		if strings.EqualFold(typeText(x.Type), jinja.UnknownType) {
			info.t = typ{} // a column whose type the Jinja columns hook did not know
		} else if info.t.fam == fUnknown && x.Type != nil {
			info.t = typ{text: normalizeType(typeText(x.Type)), fam: fUnknown}
		}
		a.expr(x.Format, sc)
		return info
	case *ast.Case:
		var info exprInfo
		info.merge(a.expr(x.Operand, sc))
		var t typ
		first := true
		for _, w := range x.Whens {
			if w == nil {
				continue
			}
			info.merge(a.expr(w.Cond, sc))
			r := a.expr(w.Result, sc)
			info.merge(r)
			if first {
				t, first = r.t, false
			} else {
				t = a.d.commonType(t, r.t)
			}
		}
		if x.Else != nil {
			r := a.expr(x.Else, sc)
			info.merge(r)
			if first {
				t = r.t
			} else {
				t = a.d.commonType(t, r.t)
			}
		}
		if t.fam == fNull {
			t = unknownType
		}
		info.t = t
		return info
	case *ast.Between:
		info := a.expr(x.X, sc)
		info.merge(a.expr(x.Lo, sc))
		info.merge(a.expr(x.Hi, sc))
		return a.boolean(info)
	case *ast.In:
		info := a.expr(x.X, sc)
		for _, y := range x.List {
			info.merge(a.expr(y, sc))
		}
		if x.Query != nil {
			info.merge(a.subqueryInfo(x.Query, sc))
		}
		info.merge(a.expr(x.Other, sc))
		return a.boolean(info)
	case *ast.Like:
		info := a.expr(x.X, sc)
		info.merge(a.expr(x.Pattern, sc))
		return a.boolean(info)
	case *ast.Is:
		return a.boolean(a.expr(x.X, sc))
	case *ast.IsDistinctFrom:
		info := a.expr(x.X, sc)
		info.merge(a.expr(x.Y, sc))
		return a.boolean(info)
	case *ast.Exists:
		info := a.subqueryInfo(x.Query, sc)
		return a.boolean(info)
	case *ast.Subquery:
		return a.subqueryInfo(x.Query, sc)
	case *ast.Quantified:
		info := a.expr(x.X, sc)
		if x.Query != nil {
			info.merge(a.subqueryInfo(x.Query, sc))
		}
		return info
	case *ast.Array:
		var info exprInfo
		var elem typ
		for i, y := range x.Elems {
			e := a.expr(y, sc)
			info.merge(e)
			if i == 0 {
				elem = e.t
			} else {
				elem = a.d.commonType(elem, e.t)
			}
		}
		if x.Query != nil {
			q := a.subqueryInfo(x.Query, sc)
			info.merge(q)
			elem = q.t
		}
		info.t = a.d.family(fArray)
		if t, ok := a.d.arrayOf(elem); ok {
			info.t = t
		}
		if x.Type != nil {
			info.t = typeOf(typeText(x.Type))
		}
		return info
	case *ast.Struct:
		var info exprInfo
		var fields []structField
		for _, f := range x.Fields {
			if f == nil {
				continue
			}
			info.merge(a.expr(f.Key, sc))
			v := a.expr(f.Value, sc)
			info.merge(v)
			sf := structField{t: v.t}
			switch {
			case f.Name != nil:
				sf.name = f.Name.Name
			case x.Keyword && v.name != nil:
				// STRUCT(a, t.b) names its fields after the columns, as a select list does
				sf.name = v.name.Name
			}
			fields = append(fields, sf)
		}
		info.t = a.d.family(fStruct)
		if t, ok := a.d.structOf(fields); ok && x.Keyword {
			info.t = t
		}
		if x.Type != nil {
			info.t = typeOf(typeText(x.Type))
		}
		return info
	case *ast.Map:
		var info exprInfo
		for _, en := range x.Entries {
			if en == nil {
				continue
			}
			info.merge(a.expr(en.Key, sc))
			info.merge(a.expr(en.Value, sc))
		}
		info.t = a.d.family(fStruct)
		return info
	case *ast.Index:
		info := a.expr(x.X, sc)
		info.merge(a.expr(x.Index, sc))
		info.merge(a.expr(x.Lo, sc))
		info.merge(a.expr(x.Hi, sc))
		info.direct, info.name = false, nil
		if x.Slice {
			// a slice keeps the array's type
		} else if info.t.fam == fJSON {
			// variant[0] is a variant
		} else {
			info.t = unknownType
		}
		return info
	case *ast.Field:
		info := a.expr(x.X, sc)
		t := info.t
		info.t = unknownType
		if x.Name != nil {
			info.t = a.d.fieldType(t, x.Name.Name)
		}
		info.name = x.Name
		return info
	case *ast.Path:
		info := a.expr(x.X, sc)
		info.direct = false
		info.t = a.d.family(fJSON)
		info.name = nil
		if a.d.name == "databricks" && len(x.Elems) > 0 && x.Elems[len(x.Elems)-1].Name != nil {
			info.name = x.Elems[len(x.Elems)-1].Name
		}
		for _, el := range x.Elems {
			if el != nil && el.Index != nil {
				info.merge(a.expr(el.Index, sc))
			}
		}
		return info
	case *ast.Lambda:
		// the parameters are local names: resolve the body with them bound to nothing
		ls := &scope{outer: sc, rels: []*relation{{complete: true}}}
		for _, p := range x.Params {
			if p != nil {
				ls.rels[0].cols = append(ls.rels[0].cols, &col{name: p.Name, pos: -1})
			}
		}
		info := a.expr(x.Body, ls)
		info.direct, info.name = false, nil
		return info
	case *ast.Collate:
		return a.expr(x.X, sc)
	case *ast.AtTimeZone:
		info := a.expr(x.X, sc)
		info.merge(a.expr(x.Zone, sc))
		info.direct, info.name = false, nil
		switch info.t.fam {
		case fTimestampTZ:
			info.t = a.d.family(fTimestamp)
		case fTimestamp:
			info.t = a.d.family(fTimestampTZ)
		default:
			info.t = unknownType
		}
		return info
	case *ast.Star:
		// count(*)-style stars inside calls are handled by call; a stray one carries nothing
		return exprInfo{}
	}
	return exprInfo{}
}

func (a *analyzer) boolean(info exprInfo) exprInfo {
	info.t = a.d.family(fBool)
	info.direct, info.name = false, nil
	return info
}

// subqueryInfo is a scalar subquery: the type and lineage of its first column.
func (a *analyzer) subqueryInfo(q *ast.Query, sc *scope) exprInfo {
	r := a.query(q, sc.ctes, sc)
	var info exprInfo
	if sel, ok := q.Body.(*ast.Select); ok && sel.SelectAs == "STRUCT" {
		// BigQuery SELECT AS STRUCT: one struct value whose fields are the columns
		fields := make([]structField, 0, len(r.cols))
		for _, c := range r.cols {
			info.lineage = mergeLineage(info.lineage, c.lineage...)
			f := structField{name: c.name, t: c.t}
			if c.unnamed {
				f.name = ""
			}
			fields = append(fields, f)
		}
		info.t = a.d.family(fStruct)
		if t, ok := a.d.structOf(fields); ok {
			info.t = t
		}
		return info
	}
	if len(r.cols) > 0 {
		c := r.cols[0]
		info.t = c.t
		info.lineage = append([]ColumnRef(nil), c.lineage...)
		if c.name != "" && !c.unnamed && a.d.name == "postgres" {
			// Postgres names `(select x from t)` after x
			info.name = &ast.Ident{Name: c.name}
		}
	}
	for _, c := range r.cols[min(1, len(r.cols)):] {
		info.lineage = mergeLineage(info.lineage, c.lineage...)
	}
	return info
}

func (a *analyzer) columnRef(x *ast.ColumnRef, sc *scope) exprInfo {
	if len(x.Parts) == 0 {
		return exprInfo{}
	}
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		parts[i] = p.Name
	}
	last := x.Parts[len(x.Parts)-1]
	// niladic keywords the parser may read as names
	if len(parts) == 1 && !last.Quoted() {
		switch strings.ToLower(parts[0]) {
		case "current_date":
			return exprInfo{t: a.d.family(fDate), name: last}
		case "current_timestamp", "now", "localtimestamp", "sysdate", "getdate":
			// the function's own type: LOCALTIMESTAMP has no zone in Postgres, Snowflake's
			// CURRENT_TIMESTAMP is TIMESTAMP_LTZ
			t := a.d.family(fTimestampTZ)
			if r, ok := a.d.lookupFunc(parts[0]); ok && r.niladic() {
				t = a.d.funcResult(r, nil)
			}
			return exprInfo{t: t, name: last}
		case "current_time":
			return exprInfo{t: a.d.family(fTime), name: last}
		case "true", "false":
			return exprInfo{t: a.d.family(fBool)}
		case "null":
			return exprInfo{t: typ{fam: fNull}}
		}
	}
	res, fields := sc.resolve(parts)
	info := exprInfo{direct: true, name: last}
	if res.c == nil {
		if len(parts) == 1 {
			if r, ok := a.d.lookupFunc(parts[0]); ok && r.niladic() {
				// CURRENT_USER, SYSDATE and similar niladic functions
				return exprInfo{t: a.d.funcResult(r, nil), name: last}
			}
		}
		a.note(int(x.Pos()), "unknown-column", "column "+strings.Join(parts, ".")+" is not in any relation in scope")
		info.refs = []string{parts[len(parts)-1]}
		return info
	}
	c := res.c
	// a column of a CTE, subquery or lateral alias keeps how it derives from its lineage
	switch c.kind {
	case KindTransform:
		info.direct = false
	case KindAggregate:
		info.direct, info.agg = false, true
	case KindWindow:
		info.direct, info.win = false, true
	}
	info.lineage = append([]ColumnRef(nil), c.lineage...)
	info.refs = []string{c.name}
	info.t = c.t
	if c.t.fam != fJSON {
		// struct fields (BigQuery names the column after the last): typed as the struct's
		// type lists them
		for _, f := range fields {
			info.t = a.d.fieldType(info.t, f)
		}
	}
	if res.ambiguous {
		a.note(int(x.Pos()), "ambiguous", "column "+strings.Join(parts, ".")+" is in more than one relation")
	}
	return info
}

func (a *analyzer) binary(x *ast.Binary, sc *scope) exprInfo {
	l := a.expr(x.X, sc)
	r := a.expr(x.Y, sc)
	info := exprInfo{}
	info.merge(l)
	info.merge(r)
	op := strings.ToUpper(x.Op)
	switch {
	case comparisonOps[op]:
		info.t = a.d.family(fBool)
	case op == "||":
		if l.t.fam == fArray || r.t.fam == fArray {
			info.t = a.d.family(fArray)
		} else if l.t.fam == fJSON && r.t.fam == fJSON {
			info.t = l.t
		} else {
			info.t = a.d.family(fString)
		}
	case op == "->>" || op == "#>>":
		info.t = a.d.family(fString)
	case op == "->" || op == "#>":
		info.t = a.d.family(fJSON)
	case op == "+" || op == "-" || op == "*" || op == "/" || op == "%" || op == "DIV" || op == "MOD":
		info.t = a.arith(op, l.t, r.t)
	case op == "&" || op == "|" || op == "^" || op == "<<" || op == ">>" || op == "#":
		info.t = l.t
	default:
		info.t = unknownType
	}
	return info
}

// nationalString: a Unicode string type of SQL Server (nvarchar, nchar, ntext).
func nationalString(t typ) bool {
	return strings.HasPrefix(t.text, "nvarchar") || strings.HasPrefix(t.text, "nchar") || t.text == "ntext"
}

// arith types arithmetic: numeric promotion, dates plus days, timestamps plus intervals.
func (a *analyzer) arith(op string, l, r typ) typ {
	if l.fam == fNull || r.fam == fNull {
		return unknownType
	}
	switch {
	case l.fam.numeric() && r.fam.numeric():
		if op == "/" && l.fam == fInt && r.fam == fInt && a.d.intDiv != fInt {
			return a.d.family(a.d.intDiv)
		}
		if op == "DIV" {
			return a.d.family(fInt)
		}
		if l.text == r.text {
			return l
		}
		if l.fam == fInt && r.fam == fInt {
			// integer arithmetic (and division where it stays integer) gives the wider
			// operand's type: integer / integer is integer, integer + bigint bigint
			if w := a.d.widerInt(l, r); w.known() {
				return w
			}
		}
		return a.d.family(max(l.fam, r.fam))
	case l.fam == fString && r.fam == fString && op == "+" && a.d.name == "tsql":
		// T-SQL concatenates with +: the result is the wider operand's kind, nvarchar when
		// either is
		if nationalString(l) || nationalString(r) {
			return typeOf("nvarchar")
		}
		return a.d.family(fString)
	case isTimeLike(l.fam) && r.fam == fInterval && (op == "+" || op == "-"):
		if l.fam == fDate && a.d.name == "trino" {
			// Trino adds an interval to a date as a date
			return l
		}
		if l.fam == fDate {
			return a.d.family(fTimestamp)
		}
		return l
	case l.fam == fInterval && isTimeLike(r.fam) && op == "+":
		if r.fam == fDate && a.d.name == "trino" {
			return r
		}
		if r.fam == fDate {
			return a.d.family(fTimestamp)
		}
		return r
	case l.fam == fDate && r.fam == fInt && (op == "+" || op == "-"):
		return l
	case l.fam == fDate && r.fam == fDate && op == "-":
		switch a.d.name {
		case "postgres":
			// date - date is a number of days, an integer
			return typeOf(a.d.types.integer)
		case "redshift", "duckdb":
			return a.d.family(fInt)
		}
		return unknownType
	case (l.fam == fTimestamp || l.fam == fTimestampTZ) && l.fam == r.fam && op == "-":
		return a.d.family(fInterval)
	case l.fam == fInterval && r.fam == fInterval:
		return l
	}
	return unknownType
}

// call types a function call and marks aggregates and window functions.
// datePartArg is the index of the argument of a date function that names a unit (DATEADD's
// first, BigQuery's DATE_TRUNC's second and DATE_DIFF's last), or -1.
func datePartArg(fn, dialect string, n int) int {
	switch fn {
	case "dateadd", "datediff", "date_part", "datepart", "timestampadd", "timestampdiff", "timeadd", "timediff", "datename":
		return 0
	case "date_trunc":
		if dialect == "bigquery" {
			return 1
		}
		return 0
	case "datetime_trunc", "timestamp_trunc", "time_trunc":
		return 1
	case "date_diff", "datetime_diff", "timestamp_diff", "time_diff":
		if dialect == "bigquery" {
			return n - 1
		}
		if n == 3 {
			return 0
		}
	case "date_add":
		// date_add(unit, value, x) in Snowflake, Trino and Databricks; date_add(x, n) elsewhere
		if n == 3 {
			return 0
		}
	}
	return -1
}

// isDatePart: a bare, unquoted name that is a date or time unit, abbreviations included
// (days, mins, dow, qtr), as Snowflake, SQL Server and BigQuery take them unquoted.
func isDatePart(e ast.Expr) bool {
	r, ok := e.(*ast.ColumnRef)
	if !ok || len(r.Parts) != 1 || r.Parts[0].Quoted() {
		return false
	}
	return dateUnits[strings.ToLower(r.Parts[0].Name)]
}

// timeUnit: the unit argument (bare or quoted) is smaller than a day.
func timeUnit(e ast.Expr) bool {
	var u string
	switch v := e.(type) {
	case *ast.ColumnRef:
		if len(v.Parts) != 1 {
			return false
		}
		u = v.Parts[0].Name
	case *ast.Literal:
		if v.Kind != ast.LitString {
			return false
		}
		u = v.Value
	default:
		return false
	}
	switch strings.ToLower(u) {
	case "hour", "h", "hh", "hr", "hours", "hrs", "minute", "m", "mi", "min", "minutes", "mins",
		"second", "s", "sec", "seconds", "secs", "millisecond", "ms", "msec", "milliseconds",
		"microsecond", "us", "usec", "microseconds", "nanosecond", "ns", "nsec", "nanosec",
		"nsecond", "nanoseconds", "nanosecs", "nseconds":
		return true
	}
	return false
}

var dateUnits = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`year y yy yyy yyyy yr years yrs month mm mon mons months day d dd days
		dayofmonth dayofweek weekday dow dw dayofweekiso weekday_iso dow_iso dw_iso dayofyear yearday doy dy
		week w wk weekofyear woy wy weekiso week_iso weekofyeariso weekofyear_iso isoweek isoyear quarter q qtr qtrs
		quarters yearofweek yearofweekiso hour h hh hr hours hrs minute m mi min minutes mins n second s sec
		seconds secs ss millisecond ms msec milliseconds microsecond us usec microseconds mcs nanosecond ns nsec
		nanosec nsecond nanoseconds nanosecs nseconds epoch_second epoch epoch_seconds epoch_millisecond
		epoch_milliseconds epoch_microsecond epoch_microseconds epoch_nanosecond epoch_nanoseconds
		timezone_hour tzh timezone_minute tzm dayofweek_iso`) {
		m[w] = true
	}
	return m
}()

func (a *analyzer) call(x *ast.Func, sc *scope) exprInfo {
	var info exprInfo
	name := ""
	if x.Name != nil {
		var parts []string
		for _, p := range x.Name.Parts {
			parts = append(parts, p.Name)
		}
		name = strings.Join(parts, ".")
	}
	lowerName := strings.ToLower(name)
	if a.d.name == "tsql" && (lowerName == "convert" || lowerName == "try_convert") && len(x.Args) >= 2 {
		// CONVERT(type, expr [, style]): the first argument is the type, no column.
		for _, e := range x.Args[1:] {
			info.merge(a.expr(e, sc))
		}
		info.t = typeOf(a.text(x.Args[0]))
		return info
	}
	args := make([]typ, 0, len(x.Args))
	part := datePartArg(lowerName, a.d.name, len(x.Args))
	for i, e := range x.Args {
		if i == part && isDatePart(e) {
			// dateadd(days, 1, x): the unit, no column
			args = append(args, typ{})
			continue
		}
		ai := a.expr(e, sc)
		info.merge(ai)
		args = append(args, ai.t)
	}
	// HAVING MAX|MIN picks the row as ORDER BY ... LIMIT 1 would: its columns feed the value
	// as an aggregate's ORDER BY columns do.
	info.merge(a.expr(x.Having, sc))
	for _, o := range x.OrderBy {
		if o != nil {
			info.merge(a.expr(o.Expr, sc))
		}
	}
	for _, o := range x.WithinGroup {
		if o != nil {
			info.merge(a.expr(o.Expr, sc))
		}
	}
	if x.Filter != nil {
		info.merge(a.expr(x.Filter, sc))
	}
	rule, known := a.d.lookupFunc(name)
	lower := strings.ToLower(name)
	if known {
		if (lower == "percentile_cont" || lower == "percentile_disc" || lower == "mode") && len(x.WithinGroup) > 0 {
			// the ordered-set form takes its type from the ORDER BY expression
			if lower == "percentile_disc" || lower == "mode" {
				args = []typ{a.expr(x.WithinGroup[0].Expr, sc).t}
			}
		}
		info.t = a.d.funcResult(rule, args)
		if (lower == "array_agg" || lower == "list") && len(args) > 0 {
			if t, ok := a.d.arrayOf(args[0]); ok {
				info.t = t
			}
		}
		if lower == "convert_timezone" && a.d.name == "snowflake" && len(args) == 2 {
			info.t = a.d.family(fTimestampTZ)
		}
		if a.d.name == "snowflake" && len(args) == 3 && args[2].fam == fDate && timeUnit(x.Args[0]) {
			switch lower {
			case "dateadd", "date_add", "timestampadd", "timeadd":
				// a date plus hours, minutes or seconds is a TIMESTAMP_NTZ from its midnight
				info.t = a.d.family(fTimestamp)
			}
		}
		if a.d.name == "databricks" {
			switch {
			case lower == "datediff" && len(args) == 3:
				// datediff(unit, start, end) is timestampdiff, BIGINT; datediff(end, start) INT
				info.t = a.d.family(fInt)
			case (lower == "date_part" || lower == "datepart") && len(x.Args) == 2:
				if l, ok := x.Args[0].(*ast.Literal); ok && l.Kind == ast.LitString {
					info.t = a.d.extractType(strings.ToUpper(l.Value))
				}
			}
		}
	}
	if x.Over != nil {
		info.win = true
		info.agg = false
		for _, p := range x.Over.PartitionBy {
			info.merge(a.expr(p, sc))
		}
		for _, o := range x.Over.OrderBy {
			if o != nil {
				info.merge(a.expr(o.Expr, sc))
			}
		}
		info.win = true
	} else if known && rule.agg {
		info.agg = true
	}
	if x.Name != nil && (a.d.name == "postgres" || a.d.name == "redshift") {
		info.name = nil
	}
	return info
}

// typeText writes a type name as we report it: lower case, with parameters and element types.
func typeText(t *ast.TypeName) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(t.Name))
	if len(t.Params) > 0 {
		b.WriteByte('(')
		for i, p := range t.Params {
			if i > 0 {
				b.WriteByte(',')
			}
			switch v := p.(type) {
			case *ast.Literal:
				b.WriteString(strings.ToLower(v.Text))
			case *ast.ColumnRef:
				if len(v.Parts) > 0 {
					b.WriteString(strings.ToLower(v.Parts[0].Name))
				}
			}
		}
		b.WriteByte(')')
	}
	if len(t.Elems) > 0 || len(t.Fields) > 0 {
		b.WriteByte('<')
		for i, e := range t.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(typeText(e))
		}
		for i, f := range t.Fields {
			if i > 0 || len(t.Elems) > 0 {
				b.WriteByte(',')
			}
			if f.Name != nil {
				b.WriteString(f.Name.Name)
				b.WriteByte(' ')
			}
			b.WriteString(typeText(f.Type))
		}
		b.WriteByte('>')
	}
	for i := 0; i < t.ArrayDims; i++ {
		b.WriteString("[]")
	}
	return b.String()
}
