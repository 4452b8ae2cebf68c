// Package dialect describes the SQL dialects the front end reads, as plain feature flags the
// lexer and parser consult. It owns the mapping from dbt adapter names to dialects; it never
// parses anything itself and never talks to a warehouse.
package dialect

import (
	"fmt"
	"strings"
)

// Dialect is a set of lexical and syntactic switches. The zero value is not useful; get one from
// Lookup or ForAdapter. Flags are chosen so that a more permissive setting only ever accepts more
// input: the parser is tolerant, so where a dialect is ambiguous we lean to accepting.
type Dialect struct {
	Name string // canonical name: ansi, postgres, duckdb, snowflake, ...

	// Comments.
	HashComments   bool // `# ...` is a line comment (MySQL, BigQuery)
	SlashComments  bool // `// ...` is a line comment (Snowflake)
	NestedComments bool // `/* /* */ */` nests (Postgres family, T-SQL, Spark)

	// Quoting.
	BracketIdents       bool // [name] is a quoted identifier (T-SQL, SQLite)
	DoubleQuotedStrings bool // "..." is a string, not an identifier (MySQL, BigQuery, Spark)
	BackslashEscapes    bool // '\'' escapes inside plain strings (MySQL, BigQuery, Spark, Snowflake)
	DollarQuotes        bool // $$...$$ strings (Postgres family, Snowflake)
	DollarTags          bool // $tag$...$tag$ strings (Postgres family)
	TripleQuotes        bool // '''...''' and """...""" (BigQuery)
	RawStrings          bool // r'...' raw and b'...' bytes prefixes (BigQuery, Spark)

	// Names and parameters.
	AtParams   bool // @name is a query parameter (BigQuery); elsewhere @name is a variable or stage
	StagePaths bool // @stage/path/file.csv lexes as one Variable (Snowflake)

	// Syntax.
	ColonPaths   bool // v:a.b semi-structured path access (Snowflake, Databricks)
	Lambdas      bool // x -> expr inside function arguments (DuckDB, Spark, Trino, Snowflake)
	NumberSuffix bool // 10L, 1.5D, 2BD literal suffixes (Spark)
	DigitIdents  bool // unquoted names may start with a digit: 1688_price, 30d_count (Spark, MySQL)
	TopClause    bool // SELECT TOP n (T-SQL, Snowflake, Redshift)
	QueryHints   bool // FOR XML|JSON|BROWSE ... and OPTION (...) after a query (T-SQL)
	GroupColumns bool // `group` names a column wherever BY does not follow it (Spark)
	CTEWithoutAs bool // WITH name (SELECT ...): a CTE's query may follow its name without AS (Spark)

	// Reason is set when the dialect is a fallback for a name we do not know.
	Reason string
}

// Generic is the permissive dialect used for unknown adapters: ANSI plus the widely shared
// extensions (double-quoted identifiers, backticks, dollar quotes, `::` casts, lambdas). Clauses
// such as QUALIFY are accepted in every dialect: reading more than a warehouse accepts costs
// nothing, rejecting what it accepts would.
func Generic() Dialect {
	return Dialect{
		Name:         "ansi",
		DollarQuotes: true,
		DollarTags:   true,
		Lambdas:      true,
		TopClause:    true,
	}
}

func postgres(name string) Dialect {
	d := Generic()
	d.Name = name
	d.NestedComments = true
	d.Lambdas = false // `a -> 'k'` is JSON access there
	d.TopClause = false
	return d
}

var table = map[string]func() Dialect{
	"ansi":     Generic,
	"postgres": func() Dialect { return postgres("postgres") },
	"redshift": func() Dialect {
		d := postgres("redshift")
		d.TopClause = true
		return d
	},
	"duckdb": func() Dialect {
		d := postgres("duckdb")
		d.Lambdas = true
		return d
	},
	"snowflake": func() Dialect {
		d := Generic()
		d.Name = "snowflake"
		d.SlashComments = true
		d.BackslashEscapes = true
		d.DollarTags = false
		d.StagePaths = true
		d.ColonPaths = true
		return d
	},
	"bigquery": func() Dialect {
		d := Generic()
		d.Name = "bigquery"
		d.HashComments = true
		d.DoubleQuotedStrings = true
		d.BackslashEscapes = true
		d.DollarQuotes = false
		d.DollarTags = false
		d.TripleQuotes = true
		d.RawStrings = true
		d.AtParams = true
		d.Lambdas = false
		d.TopClause = false
		return d
	},
	"databricks": func() Dialect {
		d := Generic()
		d.Name = "databricks"
		d.NestedComments = true
		d.DoubleQuotedStrings = true
		d.BackslashEscapes = true
		d.DollarQuotes = false
		d.DollarTags = false
		d.RawStrings = true
		d.ColonPaths = true
		d.NumberSuffix = true
		d.DigitIdents = true
		d.GroupColumns = true
		d.TopClause = false
		d.CTEWithoutAs = true
		return d
	},
	"trino": func() Dialect {
		d := Generic()
		d.Name = "trino"
		d.DollarQuotes = false
		d.DollarTags = false
		d.TopClause = false
		return d
	},
	"mysql": func() Dialect {
		d := Generic()
		d.Name = "mysql"
		d.DigitIdents = true
		d.HashComments = true
		d.DoubleQuotedStrings = true
		d.BackslashEscapes = true
		d.DollarQuotes = false
		d.DollarTags = false
		d.Lambdas = false
		d.TopClause = false
		return d
	},
	"tsql": func() Dialect {
		d := Generic()
		d.Name = "tsql"
		d.QueryHints = true
		d.NestedComments = true
		d.BracketIdents = true
		d.DollarQuotes = false
		d.DollarTags = false
		d.Lambdas = false
		return d
	},
	"sqlite": func() Dialect {
		d := Generic()
		d.Name = "sqlite"
		d.BracketIdents = true
		d.DollarQuotes = false
		d.DollarTags = false
		d.Lambdas = false
		d.TopClause = false
		return d
	},
}

// aliases maps dbt adapter types and common spellings to a canonical dialect name.
var aliases = map[string]string{
	"generic":     "ansi",
	"postgresql":  "postgres",
	"materialize": "postgres",
	"greenplum":   "postgres",
	"cockroachdb": "postgres",
	"alloydb":     "postgres",
	"spark":       "databricks",
	"sparksql":    "databricks",
	"hive":        "databricks",
	"athena":      "trino",
	"presto":      "trino",
	"starburst":   "trino",
	"mariadb":     "mysql",
	"sqlserver":   "tsql",
	"fabric":      "tsql",
	"synapse":     "tsql",
	"mssql":       "tsql",
	"azuresql":    "tsql",
	"motherduck":  "duckdb",
}

// Lookup returns the dialect for a dialect or dbt adapter name (case-insensitive). For a name it
// does not know it returns the generic dialect, with Reason saying so, and false.
func Lookup(name string) (Dialect, bool) {
	key := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[key]; ok {
		key = a
	}
	if f, ok := table[key]; ok {
		return f(), true
	}
	d := Generic()
	if key == "" {
		d.Reason = "no dialect given: parsing as generic ANSI SQL"
	} else {
		d.Reason = fmt.Sprintf("unknown dialect %q: parsing as generic ANSI SQL", name)
	}
	return d, false
}

// Names lists the canonical dialect names, for help texts and tests.
func Names() []string {
	return []string{"ansi", "bigquery", "databricks", "duckdb", "mysql", "postgres", "redshift", "snowflake", "sqlite", "trino", "tsql"}
}
