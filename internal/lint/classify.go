package lint

import "github.com/dataops-dev/dataops/internal/sql/token"

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// keywords are words that are keywords wherever they stand (unless qualified by a dot or
// called as a function). Words that only act as keywords in a few places (ASC, FIRST, ROWS...)
// are decided by contextKeyword.
var keywords = wordSet(
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "QUALIFY",
	"UNION", "INTERSECT", "EXCEPT", "MINUS", "ALL", "DISTINCT", "AS", "ON", "USING", "JOIN",
	"INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "LATERAL", "WITH",
	"RECURSIVE", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "IN", "IS", "LIKE",
	"ILIKE", "RLIKE", "BETWEEN", "EXISTS", "OVER", "INTERVAL", "ESCAPE", "ANY", "SOME", "INTO",
	"VALUES", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "SET",
	"TRUNCATE", "GRANT", "WINDOW", "TABLESAMPLE", "COLLATE", "MATERIALIZED", "SIMILAR",
	"UNPIVOT", "PIVOT", "OFFSET",
)

// parenKeywords are keywords that may be followed directly by an opening bracket without
// becoming a function call.
var parenKeywords = wordSet(
	"IN", "AS", "OVER", "USING", "VALUES", "FILTER", "WITHIN", "ON", "AND", "OR", "NOT",
	"WHEN", "THEN", "ELSE", "SELECT", "FROM", "JOIN", "ALL", "ANY", "SOME", "INTO", "LATERAL",
	"WITH", "WHERE", "BY", "HAVING", "QUALIFY", "CASE", "DISTINCT", "UNION", "EXCEPT",
	"INTERSECT", "MINUS", "IS", "LIKE", "ILIKE", "BETWEEN", "RECURSIVE", "PIVOT", "UNPIVOT",
	"MATERIALIZED", "RLIKE", "TABLESAMPLE", "SAMPLE", "END", "LIMIT", "SET", "ESCAPE",
	"INTERVAL", // INTERVAL (n - 1) DAY: a bracketed amount, no call
)

// starModifiers follow a star with a bracketed list of the star's columns.
var starModifiers = wordSet("EXCLUDE", "RENAME", "REPLACE", "EXCEPT", "ILIKE")

// bareFunctions are functions SQL lets you call without parentheses.
var bareFunctions = wordSet(
	"CURRENT_DATE", "CURRENT_TIMESTAMP", "CURRENT_TIME", "LOCALTIME", "LOCALTIMESTAMP",
	"CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "CURRENT_SCHEMA", "CURRENT_CATALOG",
)

// datePartFunctions take a bare date part (DAY, MONTH...) as their first argument.
var datePartFunctions = wordSet(
	"DATEADD", "DATEDIFF", "TIMEADD", "TIMEDIFF", "TIMESTAMPADD", "TIMESTAMPDIFF",
	"DATE_ADD", "DATE_SUB", "DATE_DIFF", "EXTRACT", "DATE_PART", "DATE_TRUNC", "TIME_SLICE",
	"TIMESTAMP_TRUNC", "DATETIME_TRUNC", "TIME_TRUNC", "LAST_DAY", "TIMESTAMP_DIFF",
	"DATETIME_DIFF", "TIMESTAMP_ADD", "TIMESTAMP_SUB", "DATETIME_ADD", "DATETIME_SUB",
)

// intervalUnits are the units an INTERVAL spells out in full.
var intervalUnits = wordSet("YEAR", "YEARS", "QUARTER", "QUARTERS", "MONTH", "MONTHS", "WEEK", "WEEKS",
	"DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES", "SECOND", "SECONDS", "MILLISECOND",
	"MILLISECONDS", "MICROSECOND", "MICROSECONDS")

// dateParts are the units SQL dialects accept in date arithmetic.
var dateParts = wordSet(
	"YEAR", "YEARS", "YY", "YYYY", "Y", "QUARTER", "QUARTERS", "QTR", "Q", "MONTH", "MONTHS", "MM",
	"MON", "WEEK", "WEEKS", "WK", "W", "ISOWEEK", "WEEKISO", "WEEKDAY", "DAY", "DAYS", "DD", "D",
	"DAYOFWEEK", "DAYOFWEEKISO", "DAYOFYEAR", "DOY", "DOW", "HOUR", "HOURS", "HH", "H",
	"MINUTE", "MINUTES", "MI", "M", "SECOND", "SECONDS", "SS", "S", "MILLISECOND",
	"MILLISECONDS", "MS", "MICROSECOND", "MICROSECONDS", "US", "NANOSECOND", "NANOSECONDS",
	"NS", "EPOCH", "EPOCH_SECOND", "EPOCH_MILLISECOND", "ISOYEAR", "YEAROFWEEK", "DATE",
	"DATETIME", "TIME", "TIMESTAMP", "CENTURY", "DECADE", "MILLENNIUM", "TIMEZONE_HOUR",
	"TIMEZONE_MINUTE", "WEEK_ISO", "ISODOW", "DAYOFMONTH",
)

// typedLiteralWords are the types that make a typed literal of the string after them.
var typedLiteralWords = wordSet("DATE", "TIME", "TIMESTAMP", "DATETIME", "TIMESTAMPTZ",
	"TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ")

func (d *Doc) classify() {
	castDepth := map[int]bool{} // bracket index of CAST( / TRY_CAST( calls
	typeRun := false
	for i := range d.Toks {
		t := &d.Toks[i]
		switch t.Kind {
		case token.QuotedIdent:
			t.Role = RoleQuoted
			typeRun = false
			continue
		case token.Ident:
		default:
			if t.Kind != token.Whitespace && t.Kind != token.Newline {
				// `number(38, 0)` keeps the type run going through its bracket only.
				if !(typeRun && t.Kind == token.LParen) {
					typeRun = false
				}
			}
			continue
		}
		if t.Role == RoleTemplate {
			continue
		}
		prev, next := t.Prev, t.Next
		prevKind, nextKind := token.EOF, token.EOF
		if prev >= 0 {
			prevKind = d.Toks[prev].Kind
		}
		if next >= 0 && next < len(d.Toks) {
			nextKind = d.Toks[next].Kind
		}
		up := t.Up
		// Semi-structured path steps (v:a.b) are neither identifiers nor keywords.
		if prevKind == token.Colon || prevKind == token.Dot && d.Toks[prev].Prev >= 0 && d.Toks[d.Toks[prev].Prev].Role == RolePath {
			t.Role = RolePath
			typeRun = false
			continue
		}
		// Qualified names are identifiers whatever they spell.
		if prevKind == token.Dot || nextKind == token.Dot {
			t.Role = RoleIdentifier
			typeRun = false
			continue
		}
		// Data types: after ::, after AS inside CAST(, and the words that continue them.
		if prevKind == token.DoubleColon || (d.Is(prev, "AS") && d.inCast(i, castDepth)) {
			t.Role = RoleType
			typeRun = true
			continue
		}
		if typeRun && (up == "PRECISION" || up == "VARYING" || up == "WITH" || up == "WITHOUT" ||
			up == "TIME" || up == "ZONE" || up == "LOCAL") {
			t.Role = RoleType
			continue
		}
		if typeRun && up == "MAX" && prevKind == token.LParen {
			t.Role = RoleKeyword // T-SQL's varchar(max)
			continue
		}
		typeRun = false
		// BigQuery's ANY_VALUE(x HAVING MAX y): MAX / MIN name the clause's direction, as SQLFluff
		// reads them; `HAVING max(y) > 1` stays a call and `HAVING max > 1` a column.
		if (up == "MAX" || up == "MIN") && d.Is(prev, "HAVING") && t.Depth > 0 &&
			(nextKind == token.Ident || nextKind == token.QuotedIdent) {
			t.Role = RoleKeyword
			continue
		}
		if up == "EXISTS" && prev >= 0 && d.Toks[prev].Role == RoleKeyword {
			t.Role = RoleKeyword // NOT EXISTS (...), WHERE EXISTS (...)
			continue
		}
		// `x != ALL (subquery)`: SQLFluff reads ALL / ANY / SOME there as a function.
		if nextKind == token.LParen && (up == "ALL" || up == "ANY" || up == "SOME") && prevKind == token.Operator {
			t.Role = RoleFunction
			continue
		}
		// `listagg(x) WITHIN GROUP (ORDER BY ...)`: GROUP opens a clause of the ordered-set
		// aggregate, it is no function.
		withinGroup := up == "GROUP" && d.Is(prev, "WITHIN")
		// T-SQL's CROSS APPLY (subquery) and OPTION (MAXRECURSION 0) are no calls either.
		tsqlParen := up == "APPLY" && (d.Is(prev, "CROSS") || d.Is(prev, "OUTER")) || up == "OPTION" && prevKind != token.Dot
		// `t.* EXCLUDE (a)`, `* RENAME (a AS b)`, `* REPLACE (...)` (Snowflake), `* EXCEPT (a)`
		// (BigQuery): a clause of the star naming its columns, no call.
		if nextKind == token.LParen && starModifiers[up] && prev >= 0 && d.Toks[prev].Kind == token.Operator && d.Toks[prev].Text == "*" {
			t.Role = RoleKeyword
			if m := d.Toks[next].Match; m > next {
				d.starMods = append(d.starMods, [2]int{next, m})
			}
			continue
		}
		// `t.* EXCLUDE col`, `* RENAME a AS b`: Snowflake and DuckDB let one column go without
		// brackets. No other reading of a word after a star is valid SQL (an alias may not
		// follow a star), so the dialect is not asked; EXCEPT stays bracketed only, as after a
		// star without brackets it is the set operation.
		if (up == "EXCLUDE" || up == "RENAME") && prev >= 0 && d.Toks[prev].Kind == token.Operator && d.Toks[prev].Text == "*" &&
			(nextKind == token.Ident && !keywords[d.Toks[next].Up] || nextKind == token.QuotedIdent) {
			t.Role = RoleKeyword
			last := next
			if up == "RENAME" {
				if as := d.Toks[next].Next; d.Is(as, "AS") {
					last = d.Toks[as].Next
				}
			}
			d.starMods = append(d.starMods, [2]int{i, last + 1})
			continue
		}
		if nextKind == token.LParen && !parenKeywords[up] && !withinGroup && !tsqlParen {
			t.Role = RoleFunction
			if up == "CAST" || up == "TRY_CAST" || up == "SAFE_CAST" {
				castDepth[next] = true
			}
			// A CTE or INSERT column list: `name (a, b) AS (` / `INTO t (a, b)`.
			// A table alias with its column names: `(...) AS d (a, b)`.
			if d.Is(prev, "WITH") || d.Is(prev, "RECURSIVE") || d.Is(prev, "INTO") || d.Is(prev, "AS") ||
				d.Is(prev, "TABLE") && !d.Is(d.Toks[prev].Prev, "FROM") && !d.Is(d.Toks[prev].Prev, "JOIN") {
				t.Role = RoleIdentifier
			} else if m := d.Toks[next].Match; m > 0 && d.Is(d.Toks[m].Next, "AS") && d.isCTEName(i) && d.Toks[d.Toks[d.Toks[m].Next].Next].Kind == token.LParen {
				t.Role = RoleIdentifier
			} else if d.syntax.CTEWithoutAs && d.opensQuery(next) && d.inCTEList(i) {
				t.Role = RoleIdentifier // Spark's `, name (select ...)`: a CTE, no call
			}
			continue
		}
		// A typed literal's type (DATE '2024-01-01', TIMESTAMP '...'): a keyword before its
		// string, as SQLFluff reads it, no column.
		if nextKind == token.String && typedLiteralWords[up] {
			t.Role = RoleKeyword
			continue
		}
		switch {
		case up == "ARRAY" && nextKind == token.LBracket && next == i+1:
			// Postgres' and DuckDB's array constructor ARRAY[a, b]: a keyword, no column
			// being subscripted.
			t.Role = RoleKeyword
		case up == "TRUE" || up == "FALSE":
			t.Role = RoleBool
		case up == "NULL":
			t.Role = RoleNull
			if d.Is(prev, "IS") || (d.Is(prev, "NOT") && d.Is(d.Toks[prev].Prev, "IS")) {
				t.Role = RoleKeyword
			}
		case bareFunctions[up]:
			t.Role = RoleBareFunction
		case keywords[up]:
			t.Role = RoleKeyword
		case d.contextKeyword(i, up):
			t.Role = RoleKeyword
		default:
			t.Role = RoleIdentifier
		}
	}
	d.classifyDateParts()
}

// isCTEName reports whether token i starts a CTE definition (after WITH or a comma in one).
func (d *Doc) isCTEName(i int) bool {
	p := d.Toks[i].Prev
	return d.Is(p, "WITH") || d.Is(p, "RECURSIVE") || (p >= 0 && d.Toks[p].Kind == token.Comma && d.Toks[i].Depth == 0)
}

// inCTEList reports whether token i stands in the CTE list of a WITH: walking back at its
// depth meets only names, brackets, commas and the words of CTE definitions before the WITH.
func (d *Doc) inCTEList(i int) bool {
	depth := d.Toks[i].Depth
	for j := d.Toks[i].Prev; j >= 0; j = d.Toks[j].Prev {
		t := &d.Toks[j]
		switch {
		case t.Depth > depth:
		case t.Depth < depth:
			return false
		case d.Is(j, "WITH"):
			return true
		case d.Is(j, "SELECT"):
			return false
		case t.Kind == token.Ident, t.Kind == token.QuotedIdent, t.Kind == token.Template,
			t.Kind == token.Comma, t.Kind == token.LParen, t.Kind == token.RParen:
		default:
			return false
		}
	}
	return false
}

// inCast reports whether token i sits directly inside a CAST( bracket.
func (d *Doc) inCast(i int, casts map[int]bool) bool {
	depth := d.Toks[i].Depth
	for j := i - 1; j >= 0; j-- {
		t := &d.Toks[j]
		if t.Kind == token.LParen && t.Depth == depth-1 {
			return casts[j]
		}
	}
	return false
}

func (d *Doc) contextKeyword(i int, up string) bool {
	prev, next := d.Toks[i].Prev, d.Toks[i].Next
	switch up {
	case "ASC", "DESC":
		nk := d.Toks[next].Kind
		return nk == token.Comma || nk == token.RParen || nk == token.EOF || nk == token.Semicolon ||
			d.Is(next, "NULLS") || d.Is(next, "LIMIT") || d.Is(next, "ROWS") || d.Is(next, "RANGE") ||
			d.Is(next, "OFFSET") || d.Is(next, "FETCH") || d.Is(next, "UNION") || nk == token.Template
	case "NULLS":
		return d.Is(next, "FIRST") || d.Is(next, "LAST") || d.Is(prev, "IGNORE") || d.Is(prev, "RESPECT")
	case "FIRST", "LAST":
		return d.Is(prev, "NULLS") || d.Is(prev, "FETCH")
	case "ROWS", "RANGE", "GROUPS":
		return d.Is(next, "BETWEEN") || d.Is(next, "UNBOUNDED") || d.Is(next, "CURRENT") ||
			(next < len(d.Toks) && d.Toks[next].Kind == token.Number)
	case "UNBOUNDED":
		return d.Is(next, "PRECEDING") || d.Is(next, "FOLLOWING")
	case "PRECEDING", "FOLLOWING":
		return true
	case "CURRENT":
		return d.Is(next, "ROW")
	case "ROW":
		return d.Is(prev, "CURRENT")
	case "PARTITION":
		return d.Is(next, "BY")
	case "IGNORE", "RESPECT":
		return d.Is(next, "NULLS")
	case "FILTER":
		return prev >= 0 && d.Toks[prev].Kind == token.RParen && d.Toks[next].Kind == token.LParen
	case "WITHIN":
		return d.Is(next, "GROUP")
	case "TOP":
		return d.Is(prev, "SELECT") || d.Is(prev, "DISTINCT")
	case "REPLACE":
		return d.Is(prev, "OR")
	case "TABLE", "VIEW":
		return d.Is(prev, "CREATE") || d.Is(prev, "REPLACE") || d.Is(prev, "TEMPORARY") || d.Is(prev, "TEMP") || d.Is(prev, "TRANSIENT") || d.Is(prev, "INTO")
	case "TEMPORARY", "TEMP", "TRANSIENT":
		return d.Is(prev, "CREATE") || d.Is(prev, "REPLACE")
	case "IF":
		return d.Is(next, "NOT") || d.Is(next, "EXISTS")
	case "SAMPLE":
		return next < len(d.Toks) && d.Toks[next].Kind == token.LParen
	case "FETCH":
		return d.Is(next, "FIRST") || d.Is(next, "NEXT")
	case "ONLY":
		return d.Is(prev, "ROWS") || d.Is(prev, "ROW")
	case "ZONE":
		return d.Is(prev, "TIME")
	case "APPLY":
		return d.Is(prev, "CROSS") || d.Is(prev, "OUTER")
	case "OPTION":
		return next < len(d.Toks) && d.Toks[next].Kind == token.LParen
	case "FOR":
		// T-SQL's FOR XML / FOR JSON / FOR BROWSE clause, which ends a query.
		return d.Is(next, "XML") || d.Is(next, "JSON") || d.Is(next, "BROWSE")
	}
	return false
}

// classifyDateParts marks bare units in date functions and after INTERVAL n.
func (d *Doc) classifyDateParts() {
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind == token.Ident && t.Role == RoleFunction && datePartFunctions[t.Up] {
			open := t.Next
			if d.Toks[open].Kind != token.LParen {
				continue
			}
			arg := d.Toks[open].Next
			d.markDatePart(arg)
			// BigQuery and Snowflake put the unit last in some functions: DATE_TRUNC(x, MONTH).
			if cl := d.Toks[open].Match; cl > 0 {
				last := d.Toks[cl].Prev
				if last != arg && d.Toks[d.Toks[last].Prev].Kind == token.Comma && d.Toks[last].Depth == d.Toks[open].Depth+1 {
					d.markDatePart(last)
				}
			}
		}
		if t.Kind == token.Ident && t.Up == "INTERVAL" {
			// INTERVAL 1 DAY / INTERVAL '1' DAY / INTERVAL (n - 1) DAY
			v := t.Next
			unit := -1
			if v < len(d.Toks) && (d.Toks[v].Kind == token.Number || d.Toks[v].Kind == token.String) {
				unit = d.Toks[v].Next
			} else if v < len(d.Toks) && d.Toks[v].Kind == token.LParen && d.Toks[v].Match > v {
				unit = d.Toks[d.Toks[v].Match].Next
			}
			d.markDatePart(unit)
			// A unit spelled out is the interval's whatever follows it (`+ INTERVAL 5 HOURS
			// AND ...`); an abbreviation (D, MM) may be an alias there, and needs the
			// bracket or comma after it.
			if unit >= 0 && unit < len(d.Toks) && d.Toks[unit].Kind == token.Ident && intervalUnits[d.Toks[unit].Up] && !d.Is(d.Toks[unit].Next, "TO") {
				d.Toks[unit].Role = RoleDatePart
			}
		}
		if t.Role == RoleFunction && t.Up == "WEEK" && d.syntax.Name == "bigquery" {
			d.markWeekPart(i)
		}
	}
}

func (d *Doc) markDatePart(i int) {
	if i < 0 || i >= len(d.Toks) {
		return
	}
	t := &d.Toks[i]
	if t.Kind != token.Ident || !dateParts[t.Up] {
		return
	}
	nk := d.Toks[t.Next].Kind
	if nk == token.Comma || nk == token.RParen || d.Is(t.Next, "FROM") {
		t.Role = RoleDatePart
	}
}

// weekdays are the days BigQuery's WEEK(<weekday>) date part starts its weeks on.
var weekdays = wordSet("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")

// markWeekPart marks BigQuery's WEEK(MONDAY), a date part any function may take as an argument
// (DATE_TRUNC, DATE_DIFF, LAST_DAY, EXTRACT ... FROM): neither a call nor a column, so no
// function to space (LT06) and no reference to qualify (RF02).
func (d *Doc) markWeekPart(i int) {
	open := d.Toks[i].Next
	if d.Toks[open].Kind != token.LParen || d.Toks[open].Match < 0 {
		return
	}
	day := d.Toks[open].Next
	if d.Toks[day].Kind != token.Ident || !weekdays[d.Toks[day].Up] || d.Toks[day].Next != d.Toks[open].Match {
		return
	}
	p := d.Toks[i].Prev
	if p < 0 || d.Toks[p].Kind != token.LParen && d.Toks[p].Kind != token.Comma {
		return // not an argument
	}
	d.Toks[i].Role = RoleDatePart
	d.Toks[day].Role = RoleDatePart
}
