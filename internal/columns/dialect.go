package columns

import (
	"strconv"
	"strings"

	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

// dialect holds what differs between warehouses for column inference: how unquoted names are
// reported, type names, a few arithmetic rules and how unnamed expressions are named.
type dialect struct {
	name  string
	fold  caseRule
	types *typeNames
	// intDiv is the family of int / int (Postgres keeps the operands' integer type, BigQuery
	// and DuckDB give a float, Snowflake a number).
	intDiv family
	// avgInt is the family of avg over integers.
	avgInt family
	// intLiteral is the type of an integer literal.
	intLiteral string
	// decimalLiteral is the type of a literal like 1.5.
	decimalLiteral string
	// catalogUpper: the warehouse stores unquoted names upper-cased (Snowflake), so an
	// all-upper name from the catalog or a describe was most likely written unquoted.
	catalogUpper bool
	// dateTrunc says what date_trunc returns: true for the argument's own type (Snowflake,
	// BigQuery, DuckDB), false for a timestamp (Postgres, Redshift, Spark; see funcResult).
	dateTruncKeepsType bool
	funcs              map[string]fnRule // dialect-specific overrides of commonFuncs
}

// caseRule is how a dialect reports an unquoted identifier.
type caseRule uint8

const (
	// keepCase: report the name as the user wrote it. Snowflake folds unquoted names to upper
	// case in the warehouse, but every comparison of unquoted names is case-insensitive and dbt
	// property files list them as written, so the name as written is the useful one; names
	// listed upper-case by a Snowflake catalog are reported lower-case for the same reason.
	keepCase caseRule = iota
	// foldLower: the warehouse stores unquoted names lower-cased (Postgres, Redshift), and so
	// does its catalog; report them that way.
	foldLower
)

// dialectFor is the inference dialect of a dialect or dbt adapter name, by the canonical name
// the SQL parser gives it (spark is databricks, athena trino, fabric tsql...).
func dialectFor(name string) *dialect {
	if d, ok := sqldialect.Lookup(name); ok {
		name = d.Name
	}
	switch name {
	case "postgres":
		return &dialect{name: "postgres", fold: foldLower, types: &postgresTypes, intDiv: fInt, avgInt: fDecimal,
			intLiteral: "integer", decimalLiteral: "numeric", funcs: postgresFuncs()}
	case "redshift":
		return &dialect{name: "redshift", fold: foldLower, types: &redshiftTypes, intDiv: fInt, avgInt: fInt,
			intLiteral: "integer", decimalLiteral: "numeric", funcs: redshiftFuncs()}
	case "snowflake":
		return &dialect{name: "snowflake", fold: keepCase, types: &snowflakeTypes, intDiv: fDecimal, avgInt: fDecimal,
			intLiteral: "number", decimalLiteral: "number", catalogUpper: true, dateTruncKeepsType: true,
			funcs: snowflakeFuncs()}
	case "bigquery":
		return &dialect{name: "bigquery", fold: keepCase, types: &bigqueryTypes, intDiv: fFloat, avgInt: fFloat,
			intLiteral: "int64", decimalLiteral: "float64", dateTruncKeepsType: true, funcs: bigqueryFuncs()}
	case "databricks":
		return &dialect{name: "databricks", fold: keepCase, types: &sparkTypes, intDiv: fFloat, avgInt: fFloat,
			intLiteral: "int", decimalLiteral: "decimal", dateTruncKeepsType: false, funcs: sparkFuncs()}
	case "trino":
		return &dialect{name: "trino", fold: keepCase, types: &trinoTypes, intDiv: fInt, avgInt: fFloat,
			intLiteral: "integer", decimalLiteral: "decimal", dateTruncKeepsType: true, funcs: trinoFuncs()}
	case "tsql":
		// int / int and avg(int) stay integers; a literal 1.5 is numeric(2,1).
		return &dialect{name: "tsql", fold: keepCase, types: &tsqlTypes, intDiv: fInt, avgInt: fInt,
			intLiteral: "int", decimalLiteral: "numeric", dateTruncKeepsType: true, funcs: tsqlFuncs()}
	default: // duckdb and anything we do not know
		return &dialect{name: "duckdb", fold: keepCase, types: &duckdbTypes, intDiv: fFloat, avgInt: fFloat,
			intLiteral: "integer", decimalLiteral: "decimal", dateTruncKeepsType: true, funcs: duckdbFuncs()}
	}
}

// columnName reports an identifier written in the SQL as the output column name.
func (d *dialect) columnName(ident string, quoted bool) string {
	if quoted || d.fold == keepCase {
		return ident
	}
	return strings.ToLower(ident)
}

// catalogName reports a name listed by the catalog or the warehouse the way the user would
// write it (see keepCase).
func (d *dialect) catalogName(name string) string {
	if d.catalogUpper && name == strings.ToUpper(name) {
		return strings.ToLower(name)
	}
	return name
}

// unnamedName is the name the warehouse gives a select item with no alias that is not a plain
// column: text is the expression's source text, fn the function name when the expression is a
// call, pos its 0-based position in the select list and nth its 0-based index among unnamed
// items.
func (d *dialect) unnamedName(text, fn, castType string, pos, nth int) string {
	switch d.name {
	case "snowflake":
		return strings.ToUpper(collapseSpace(text))
	case "postgres", "redshift":
		if fn != "" {
			return strings.ToLower(fn)
		}
		if castType != "" {
			return pgCastName(castType)
		}
		return "?column?"
	case "bigquery":
		return "f" + strconv.Itoa(nth) + "_"
	case "trino":
		return "_col" + strconv.Itoa(pos)
	}
	return collapseSpace(text)
}

// pgCastName is the column name Postgres gives `x::type`: the type's internal name.
func pgCastName(t string) string {
	t = strings.ToLower(t)
	if i := strings.IndexByte(t, '('); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "int", "integer":
		return "int4"
	case "bigint":
		return "int8"
	case "smallint":
		return "int2"
	case "varchar", "character varying":
		return "varchar"
	case "boolean":
		return "bool"
	case "double precision":
		return "float8"
	case "real":
		return "float4"
	case "decimal":
		return "numeric"
	case "timestamp", "timestamp without time zone":
		return "timestamp"
	case "timestamptz", "timestamp with time zone":
		return "timestamptz"
	}
	return t
}

func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
