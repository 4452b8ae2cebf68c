package columns

import (
	"strings"
	"testing"
)

func TestFamilyOf(t *testing.T) {
	cases := map[string]family{
		"varchar(20)":                 fString,
		"VARCHAR":                     fString,
		"character varying(256)":      fString,
		"number(38,0)":                fDecimal,
		"int64":                       fInt,
		"timestamp without time zone": fTimestamp,
		"timestamp(6) with time zone": fTimestampTZ,
		"TIMESTAMP_LTZ":               fTimestampTZ,
		"array<int64>":                fArray,
		"struct<a int64>":             fStruct,
		"int[]":                       fArray,
		"double precision":            fFloat,
		"variant":                     fJSON,
		"interval day to second":      fInterval,
		"frobnicator":                 fUnknown,
	}
	for in, want := range cases {
		if got := familyOf(in); got != want {
			t.Errorf("familyOf(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestNormalizeType(t *testing.T) {
	cases := map[string]string{
		"VARCHAR ( 20 )":              "varchar(20)",
		"numeric(10, 2)":              "numeric(10,2)",
		"Timestamp  With Time   Zone": "timestamp with time zone",
		"  int  ":                     "int",
		"array< string >":             "array<string>",
	}
	for in, want := range cases {
		if got := normalizeType(in); got != want {
			t.Errorf("normalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommonType(t *testing.T) {
	pg := dialectFor("postgres")
	sf := dialectFor("snowflake")
	cases := []struct {
		d    *dialect
		a, b string
		want string
	}{
		{pg, "integer", "integer", "integer"},
		{pg, "integer", "bigint", "bigint"},
		{pg, "smallint", "integer", "integer"},
		{sf, "timestamp_ltz", "timestamp_ltz", "timestamp_ltz"},
		{sf, "number(38,0)", "int", "number"},
		{sf, "int", "bigint", "number"},
		{pg, "integer", "numeric(10,2)", "numeric"},
		{pg, "integer", "double precision", "double precision"},
		{pg, "date", "timestamp without time zone", "timestamp without time zone"},
		{pg, "text", "integer", ""},
		{pg, "varchar(10)", "varchar(20)", "text"},
		{sf, "number", "float", "float"},
		{sf, "", "varchar", ""},
	}
	for _, c := range cases {
		got := c.d.commonType(typeOf(c.a), typeOf(c.b))
		if got.text != c.want {
			t.Errorf("%s commonType(%q, %q) = %q, want %q", c.d.name, c.a, c.b, got.text, c.want)
		}
	}
	// NULL takes the other side's type
	if got := pg.commonType(typ{fam: fNull}, typeOf("date")); got.text != "date" {
		t.Errorf("commonType(null, date) = %q", got.text)
	}
}

func TestFuncResult(t *testing.T) {
	cases := []struct {
		dialect, fn string
		args        []string
		want        string
	}{
		{"postgres", "count", nil, "bigint"},
		{"snowflake", "count", nil, "number"},
		{"bigquery", "count", nil, "int64"},
		{"postgres", "sum", []string{"integer"}, "bigint"},
		{"postgres", "sum", []string{"bigint"}, "numeric"},
		{"snowflake", "sum", []string{"number"}, "number"},
		{"postgres", "sum", []string{"numeric(10,2)"}, "numeric"},
		{"postgres", "avg", []string{"integer"}, "numeric"},
		{"duckdb", "avg", []string{"integer"}, "double"},
		{"bigquery", "avg", []string{"int64"}, "float64"},
		// Postgres has no date_trunc(text, date): the date is cast to timestamptz
		{"postgres", "date_trunc", []string{"text", "date"}, "timestamp with time zone"},
		{"postgres", "date_trunc", []string{"text", "timestamp"}, "timestamp without time zone"},
		{"postgres", "date_trunc", []string{"text", "interval"}, "interval"},
		{"redshift", "date_trunc", []string{"varchar", "date"}, "timestamp without time zone"},
		{"databricks", "date_trunc", []string{"string", "date"}, "timestamp"},
		{"databricks", "date_trunc", []string{"string", "timestamp_ntz"}, "timestamp"},
		{"snowflake", "date_trunc", []string{"varchar", "date"}, "date"},
		{"bigquery", "date_trunc", []string{"date", "string"}, "date"},
		{"postgres", "concat", []string{"text", "integer"}, "text"},
		{"postgres", "row_number", nil, "bigint"},
		// integer-valued functions: the dialect's own width, not always its BIGINT
		{"postgres", "length", []string{"text"}, "integer"},
		{"postgres", "strpos", []string{"text", "text"}, "integer"},
		{"postgres", "ntile", []string{"integer"}, "integer"},
		{"postgres", "date_part", []string{"text", "date"}, "double precision"},
		// to_timestamp(epoch) and to_timestamp(text, format) give a time zone's timestamp
		// on PostgreSQL, Redshift and DuckDB (Snowflake's is its TIMESTAMP_NTZ default)
		{"postgres", "to_timestamp", []string{"double precision"}, "timestamp with time zone"},
		{"postgres", "to_timestamp", []string{"text", "text"}, "timestamp with time zone"},
		{"redshift", "to_timestamp", []string{"varchar", "varchar"}, "timestamp with time zone"},
		{"duckdb", "to_timestamp", []string{"double"}, "timestamp with time zone"},
		{"snowflake", "to_timestamp", []string{"varchar"}, "timestamp_ntz"},
		{"redshift", "len", []string{"varchar"}, "integer"},
		{"redshift", "date_part", []string{"varchar", "date"}, "double precision"},
		{"redshift", "datediff", []string{"varchar", "date", "date"}, "bigint"},
		{"databricks", "year", []string{"date"}, "int"},
		{"databricks", "hour", []string{"timestamp"}, "int"},
		{"databricks", "datediff", []string{"date", "date"}, "int"},
		{"databricks", "length", []string{"string"}, "int"},
		{"databricks", "instr", []string{"string", "string"}, "int"},
		{"databricks", "size", []string{"array<string>"}, "int"},
		{"databricks", "row_number", nil, "int"},
		{"databricks", "count", nil, "bigint"},
		{"databricks", "unix_timestamp", []string{"timestamp"}, "bigint"},
		{"databricks", "date_format", []string{"timestamp", "string"}, "string"},
		{"duckdb", "year", []string{"date"}, "bigint"},
		{"duckdb", "length", []string{"varchar"}, "bigint"},
		{"duckdb", "row_number", nil, "bigint"},
		{"trino", "length", []string{"varchar"}, "bigint"},
		{"trino", "row_number", nil, "bigint"},
		{"bigquery", "length", []string{"string"}, "int64"},
		{"bigquery", "row_number", nil, "int64"},
		{"snowflake", "year", []string{"date"}, "number"},
		{"snowflake", "row_number", nil, "number"},
		// Snowflake: CURRENT_TIMESTAMP and its aliases are TIMESTAMP_LTZ, SYSDATE is NTZ
		{"snowflake", "current_timestamp", nil, "timestamp_ltz"},
		{"snowflake", "getdate", nil, "timestamp_ltz"},
		{"snowflake", "localtimestamp", nil, "timestamp_ltz"},
		{"snowflake", "systimestamp", nil, "timestamp_ltz"},
		{"snowflake", "to_timestamp_ltz", []string{"timestamp_ntz"}, "timestamp_ltz"},
		{"snowflake", "to_timestamp_tz", []string{"timestamp_ntz"}, "timestamp_tz"},
		{"snowflake", "sysdate", nil, "timestamp_ntz"},
		{"snowflake", "object_construct", []string{"varchar", "number"}, "object"},
		{"snowflake", "object_agg", []string{"varchar", "variant"}, "object"},
		{"snowflake", "parse_json", []string{"varchar"}, "variant"},
		{"postgres", "localtimestamp", nil, "timestamp without time zone"},
		{"postgres", "current_timestamp", nil, "timestamp with time zone"},
		{"postgres", "coalesce", []string{"integer", "bigint"}, "bigint"},
		{"postgres", "coalesce", []string{"", "integer"}, ""},
		{"snowflake", "iff", []string{"boolean", "varchar", "varchar"}, "varchar"},
		{"snowflake", "decode", []string{"varchar", "varchar", "number", "varchar", "number", "number"}, "number"},
		{"postgres", "max", []string{"date"}, "date"},
		{"snowflake", "dateadd", []string{"varchar", "number", "timestamp_ntz"}, "timestamp_ntz"},
		{"postgres", "lag", []string{"numeric"}, "numeric"},
		{"bigquery", "safe.parse_date", []string{"string", "string"}, "date"},
		{"snowflake", "analytics.my_udf", []string{"varchar"}, ""},
		// Trino's date_add(unit, value, x) and date_trunc(unit, x) return x's type
		{"trino", "date_add", []string{"varchar", "integer", "date"}, "date"},
		{"trino", "date_add", []string{"varchar", "integer", "timestamp(3)"}, "timestamp(3)"},
		{"trino", "date_trunc", []string{"varchar", "date"}, "date"},
		{"trino", "date_trunc", []string{"varchar", "timestamp(3)"}, "timestamp(3)"},
		{"trino", "date_diff", []string{"varchar", "date", "date"}, "bigint"},
		{"trino", "date_format", []string{"timestamp", "varchar"}, "varchar"},
		{"trino", "from_unixtime", []string{"bigint"}, "timestamp(3) with time zone"},
		{"trino", "current_timestamp", nil, "timestamp(3) with time zone"},
		{"trino", "current_date", nil, "date"},
		// date_add(x, n) elsewhere: Spark's is a date whatever x is
		{"databricks", "date_add", []string{"timestamp", "int"}, "date"},
		{"databricks", "date_sub", []string{"date", "int"}, "date"},
		{"bigquery", "date_add", []string{"date", "interval"}, "date"},
		{"duckdb", "date_add", []string{"date", "interval"}, "timestamp"},
		{"duckdb", "date_add", []string{"timestamp", "interval"}, "timestamp"},
		{"duckdb", "date_sub", []string{"varchar", "date", "date"}, "bigint"},
		{"snowflake", "date_add", []string{"", "number", "date"}, "date"},
		// SQL Server: only SYSDATETIME is datetime2
		{"sqlserver", "getdate", nil, "datetime"},
		{"sqlserver", "current_timestamp", nil, "datetime"},
		{"sqlserver", "getutcdate", nil, "datetime"},
		{"sqlserver", "sysdatetime", nil, "datetime2"},
		{"sqlserver", "sysdatetimeoffset", nil, "datetimeoffset"},
		{"sqlserver", "isnull", []string{"nvarchar(100)", "varchar"}, "nvarchar(100)"},
		{"fabric", "format", []string{"datetime", "varchar"}, "nvarchar"},
		{"synapse", "count_big", nil, "bigint"},
		{"sqlserver", "count", nil, "int"},
		{"sqlserver", "len", []string{"nvarchar(100)"}, "int"},
		{"sqlserver", "datediff", []string{"", "date", "date"}, "int"},
		{"sqlserver", "datediff_big", []string{"", "date", "date"}, "bigint"},
		{"sqlserver", "newid", nil, "uniqueidentifier"},
		{"sqlserver", "iif", []string{"bit", "int", "bigint"}, "bigint"},
		{"sqlserver", "dateadd", []string{"", "int", "date"}, "date"},
	}
	for _, c := range cases {
		d := dialectFor(c.dialect)
		r, ok := d.lookupFunc(c.fn)
		var got typ
		if ok {
			var args []typ
			for _, a := range c.args {
				args = append(args, typeOf(a))
			}
			got = d.funcResult(r, args)
		}
		if got.text != c.want {
			t.Errorf("%s %s(%v) = %q, want %q", c.dialect, c.fn, c.args, got.text, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	pg, sf, bq := dialectFor("postgres"), dialectFor("snowflake"), dialectFor("bigquery")
	if got := pg.columnName("OrderID", false); got != "orderid" {
		t.Errorf("postgres folds unquoted names: %q", got)
	}
	if got := pg.columnName("OrderID", true); got != "OrderID" {
		t.Errorf("postgres keeps quoted names: %q", got)
	}
	if got := sf.columnName("order_id", false); got != "order_id" {
		t.Errorf("snowflake keeps names as written: %q", got)
	}
	if got := sf.catalogName("ORDER_ID"); got != "order_id" {
		t.Errorf("snowflake catalog upper-case: %q", got)
	}
	if got := sf.catalogName("MixedCase"); got != "MixedCase" {
		t.Errorf("snowflake catalog quoted name: %q", got)
	}
	if got := sf.unnamedName("count(*)", "count", "", 0, 0); got != "COUNT(*)" {
		t.Errorf("snowflake unnamed: %q", got)
	}
	if got := pg.unnamedName("count(*)", "count", "", 0, 0); got != "count" {
		t.Errorf("postgres unnamed call: %q", got)
	}
	if got := pg.unnamedName("1 + 2", "", "", 0, 0); got != "?column?" {
		t.Errorf("postgres unnamed expression: %q", got)
	}
	if got := pg.unnamedName("x::int", "", "int", 0, 0); got != "int4" {
		t.Errorf("postgres unnamed cast: %q", got)
	}
	if got := bq.unnamedName("1 + 2", "", "", 3, 1); got != "f1_" {
		t.Errorf("bigquery unnamed: %q", got)
	}
}

func TestElementFields(t *testing.T) {
	for text, want := range map[string]string{
		"array<struct<sku string, qty int64>>":                                 "sku string|qty int64",
		"ARRAY<STRUCT<a: int, b: struct<c string, d int>, `e` numeric(10,2)>>": "a int|b struct<c string, d int>|e numeric(10,2)",
		"array<struct>":   "",
		"array<int64>":    "",
		"struct<a int>":   "",
		"array<struct<>>": "",
	} {
		var got []string
		for _, f := range elementFields(text) {
			got = append(got, f[0]+" "+f[1])
		}
		if strings.Join(got, "|") != want {
			t.Errorf("elementFields(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestStructFieldsAndElementType(t *testing.T) {
	for text, want := range map[string]string{
		"struct<key string, value struct<s string, i int64>>": "key string|value struct<s string, i int64>",
		"row(a varchar, b integer)":                           "a varchar|b integer",
		"struct<int64, string>":                               "",
		"struct":                                              "",
	} {
		var got []string
		for _, f := range structFields(text) {
			got = append(got, f[0]+" "+f[1])
		}
		if strings.Join(got, "|") != want {
			t.Errorf("structFields(%q) = %q, want %q", text, got, want)
		}
	}
	for text, want := range map[string]string{
		"array<struct<a int>>": "struct<a int>", "integer[]": "integer", "LIST<varchar>": "varchar",
		"array": "", "varchar": "",
	} {
		if got := elementType(text); got != want {
			t.Errorf("elementType(%q) = %q, want %q", text, got, want)
		}
	}
}
