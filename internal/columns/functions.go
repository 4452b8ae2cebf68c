package columns

import "sync"

// fnRule says what a function returns and whether it aggregates.
type fnRule struct {
	ret  retKind
	fam  family // for retFixed
	text string // for retNamed: the type's name in the dialect whose table holds the rule
	arg  int    // for retArg (the argument whose type is returned) and retCommon (first argument)
	step int    // for retCommon: take every step-th argument (decode's results); 0 means 1
	agg  bool   // an aggregate (also usable as a window function)
	win  bool   // a window-only function (row_number, rank, lag)
}

type retKind uint8

const (
	retUnknown   retKind = iota
	retFixed             // always fam
	retArg               // the type of argument arg
	retCommon            // the common type of arguments arg, arg+step, ...
	retSum               // sum: integers widen, decimals stay, floats stay
	retAvg               // avg: the dialect's avg of integers, else decimal/float as given
	retDateTrunc         // date_trunc(part, x): per dialect
	retLastArg           // the type of the last argument (dateadd(part, n, x))
	retNamed             // always the type text names (a dialect's INT rather than its BIGINT)
	retDateAdd           // date_add(x, n) or date_add(unit, n, x): per dialect
)

func fixed(f family) fnRule        { return fnRule{ret: retFixed, fam: f} }
func aggFixed(f family) fnRule     { return fnRule{ret: retFixed, fam: f, agg: true} }
func winFixed(f family) fnRule     { return fnRule{ret: retFixed, fam: f, win: true} }
func argType(i int) fnRule         { return fnRule{ret: retArg, arg: i} }
func aggArg(i int) fnRule          { return fnRule{ret: retArg, arg: i, agg: true} }
func winArg(i int) fnRule          { return fnRule{ret: retArg, arg: i, win: true} }
func common(from, step int) fnRule { return fnRule{ret: retCommon, arg: from, step: step} }

// named gives each function the type text names in one dialect, keeping whether commonFuncs
// has it aggregate or window-only: a family's name is one per dialect (Spark's fInt is BIGINT),
// and these functions return another member of the family (INT), which a contract compares.
func named(m map[string]fnRule, text string, names ...string) map[string]fnRule {
	for _, n := range names {
		r := commonFuncs()[n]
		m[n] = fnRule{ret: retNamed, text: text, agg: r.agg, win: r.win}
	}
	return m
}

// commonFuncs are the functions whose result type is the same in every dialect we support, by
// lower-case name. Dialect tables override them. These tables are built on first use: as
// package variables they cost every run of the binary, most of which infer no column.
var commonFuncs = sync.OnceValue(func() map[string]fnRule {
	return map[string]fnRule{
		// aggregates
		"count": aggFixed(fInt), "count_if": aggFixed(fInt), "countif": aggFixed(fInt),
		"approx_count_distinct": aggFixed(fInt), "approx_distinct": aggFixed(fInt), "hll": aggFixed(fInt),
		"sum": {ret: retSum, agg: true}, "avg": {ret: retAvg, agg: true}, "mean": {ret: retAvg, agg: true},
		"min": aggArg(0), "max": aggArg(0), "any_value": aggArg(0), "arbitrary": aggArg(0),
		"first": aggArg(0), "last": aggArg(0), "mode": aggArg(0), "max_by": aggArg(0), "min_by": aggArg(0),
		"arg_max": aggArg(0), "arg_min": aggArg(0), "argmax": aggArg(0), "argmin": aggArg(0),
		"percentile_disc": aggArg(0), "bit_and": aggArg(0), "bit_or": aggArg(0), "bit_xor": aggArg(0),
		"median": aggFixed(fFloat), "percentile_cont": aggFixed(fFloat), "approx_percentile": aggFixed(fFloat),
		"approx_quantiles": aggFixed(fArray), "quantile_cont": aggFixed(fFloat),
		"stddev": aggFixed(fFloat), "stddev_samp": aggFixed(fFloat), "stddev_pop": aggFixed(fFloat),
		"variance": aggFixed(fFloat), "var_samp": aggFixed(fFloat), "var_pop": aggFixed(fFloat),
		"corr": aggFixed(fFloat), "covar_samp": aggFixed(fFloat), "covar_pop": aggFixed(fFloat),
		"listagg": aggFixed(fString), "string_agg": aggFixed(fString), "group_concat": aggFixed(fString),
		"array_agg": aggFixed(fArray), "array_unique_agg": aggFixed(fArray), "list": aggFixed(fArray),
		"array_union_agg": aggFixed(fArray), "array_concat_agg": aggFixed(fArray),
		"object_agg": aggFixed(fJSON), "json_agg": aggFixed(fJSON), "jsonb_agg": aggFixed(fJSON),
		"json_object_agg": aggFixed(fJSON), "jsonb_object_agg": aggFixed(fJSON),
		"bool_and": aggFixed(fBool), "bool_or": aggFixed(fBool), "booland_agg": aggFixed(fBool),
		"boolor_agg": aggFixed(fBool), "every": aggFixed(fBool), "logical_and": aggFixed(fBool),
		"logical_or": aggFixed(fBool),

		// window-only
		"row_number": winFixed(fInt), "rank": winFixed(fInt), "dense_rank": winFixed(fInt),
		"ntile": winFixed(fInt), "conditional_change_event": winFixed(fInt),
		"conditional_true_event": winFixed(fInt),
		"percent_rank":           winFixed(fFloat), "cume_dist": winFixed(fFloat), "ratio_to_report": winFixed(fFloat),
		"lag": winArg(0), "lead": winArg(0), "first_value": winArg(0), "last_value": winArg(0),
		"nth_value": winArg(0),

		// conditionals
		"coalesce": common(0, 1), "ifnull": common(0, 1), "nvl": common(0, 1), "isnull": common(0, 1),
		"nullif": argType(0), "iff": common(1, 1), "if": common(1, 1), "nvl2": common(1, 1),
		"greatest": common(0, 1), "least": common(0, 1), "zeroifnull": argType(0),
		"nullifzero": argType(0), "decode": common(2, 2), "equal_null": fixed(fBool),

		// strings
		"concat": fixed(fString), "concat_ws": fixed(fString), "lower": fixed(fString), "upper": fixed(fString),
		"lcase": fixed(fString), "ucase": fixed(fString),
		"trim": fixed(fString), "ltrim": fixed(fString), "rtrim": fixed(fString), "btrim": fixed(fString),
		"substr": fixed(fString), "substring": fixed(fString), "left": fixed(fString), "right": fixed(fString),
		"replace": fixed(fString), "regexp_replace": fixed(fString), "regexp_substr": fixed(fString),
		"regexp_extract": fixed(fString), "split_part": fixed(fString), "lpad": fixed(fString),
		"rpad": fixed(fString), "initcap": fixed(fString), "reverse": fixed(fString),
		"repeat": fixed(fString), "md5": fixed(fString), "sha1": fixed(fString), "sha2": fixed(fString),
		"sha256": fixed(fString), "to_char": fixed(fString), "to_varchar": fixed(fString),
		"format": fixed(fString), "translate": fixed(fString), "chr": fixed(fString),
		"char": fixed(fString), "to_hex": fixed(fString), "hex_encode": fixed(fString),
		"base64_encode": fixed(fString), "to_base64": fixed(fString), "array_to_string": fixed(fString),
		"json_extract_path_text": fixed(fString), "json_extract_scalar": fixed(fString),
		"json_value": fixed(fString), "strip": fixed(fString), "quote_ident": fixed(fString),
		"quote_literal": fixed(fString), "uuid_string": fixed(fString), "generate_uuid": fixed(fString),
		"dayname": fixed(fString), "monthname": fixed(fString), "to_json_string": fixed(fString),
		"string": fixed(fString), "soundex": fixed(fString), "ascii_string": fixed(fString),
		"regexp_substr_all": fixed(fArray), "regexp_extract_all": fixed(fArray),

		// numbers
		"length": fixed(fInt), "len": fixed(fInt), "char_length": fixed(fInt),
		"character_length": fixed(fInt), "octet_length": fixed(fInt), "bit_length": fixed(fInt),
		"strpos": fixed(fInt), "position": fixed(fInt), "charindex": fixed(fInt), "instr": fixed(fInt),
		"ascii": fixed(fInt), "regexp_count": fixed(fInt), "regexp_instr": fixed(fInt),
		"editdistance": fixed(fInt), "levenshtein": fixed(fInt),
		"datediff": fixed(fInt), "date_diff": fixed(fInt), "timestampdiff": fixed(fInt),
		"timestamp_diff": fixed(fInt), "datetime_diff": fixed(fInt), "time_diff": fixed(fInt),
		"year": fixed(fInt), "month": fixed(fInt), "day": fixed(fInt), "dayofweek": fixed(fInt),
		"dayofweekiso": fixed(fInt), "dayofyear": fixed(fInt), "dayofmonth": fixed(fInt),
		"hour": fixed(fInt), "minute": fixed(fInt), "second": fixed(fInt), "quarter": fixed(fInt),
		"week": fixed(fInt), "weekofyear": fixed(fInt), "weekiso": fixed(fInt), "yearofweek": fixed(fInt),
		"yearofweekiso": fixed(fInt), "isoweek": fixed(fInt), "isoyear": fixed(fInt),
		"array_size": fixed(fInt), "array_length": fixed(fInt), "cardinality": fixed(fInt),
		"json_array_length": fixed(fInt), "hash": fixed(fInt), "farm_fingerprint": fixed(fInt),
		"unix_seconds": fixed(fInt), "unix_millis": fixed(fInt), "unix_micros": fixed(fInt),
		"unix_date": fixed(fInt), "epoch": fixed(fInt), "sign": fixed(fInt),
		"abs": argType(0), "round": argType(0), "floor": argType(0), "ceil": argType(0),
		"ceiling": argType(0), "trunc": argType(0), "truncate": argType(0), "mod": argType(0),
		"div0": fixed(fDecimal), "div0null": fixed(fDecimal),
		"sqrt": fixed(fFloat), "cbrt": fixed(fFloat), "exp": fixed(fFloat), "ln": fixed(fFloat),
		"log": fixed(fFloat), "log10": fixed(fFloat), "log2": fixed(fFloat), "power": fixed(fFloat),
		"pow": fixed(fFloat), "random": fixed(fFloat), "rand": fixed(fFloat), "sin": fixed(fFloat),
		"cos": fixed(fFloat), "tan": fixed(fFloat), "asin": fixed(fFloat), "acos": fixed(fFloat),
		"atan": fixed(fFloat), "atan2": fixed(fFloat), "radians": fixed(fFloat), "degrees": fixed(fFloat),
		"pi": fixed(fFloat), "haversine": fixed(fFloat), "st_distance": fixed(fFloat),
		"safe_divide": fixed(fFloat), "ieee_divide": fixed(fFloat),
		"to_number": fixed(fDecimal), "to_decimal": fixed(fDecimal), "to_numeric": fixed(fDecimal),
		"try_to_number": fixed(fDecimal), "try_to_decimal": fixed(fDecimal),
		"try_to_numeric": fixed(fDecimal), "to_double": fixed(fFloat), "try_to_double": fixed(fFloat),

		// booleans
		"startswith": fixed(fBool), "endswith": fixed(fBool), "starts_with": fixed(fBool),
		"ends_with": fixed(fBool), "contains": fixed(fBool), "regexp_like": fixed(fBool),
		"rlike": fixed(fBool), "regexp_contains": fixed(fBool), "regexp_matches": fixed(fBool),
		"array_contains": fixed(fBool), "arrays_overlap": fixed(fBool), "is_nan": fixed(fBool),
		"isnan": fixed(fBool), "is_inf": fixed(fBool), "isinf": fixed(fBool),
		"is_null_value": fixed(fBool), "booland": fixed(fBool), "boolor": fixed(fBool),
		"boolxor": fixed(fBool), "to_boolean": fixed(fBool), "try_to_boolean": fixed(fBool),
		"is_array": fixed(fBool), "is_object": fixed(fBool), "is_integer": fixed(fBool),

		// dates and times
		"current_date": fixed(fDate), "to_date": fixed(fDate), "try_to_date": fixed(fDate),
		"date": fixed(fDate), "date_from_parts": fixed(fDate), "datefromparts": fixed(fDate),
		"make_date": fixed(fDate), "last_day": fixed(fDate), "parse_date": fixed(fDate),
		"next_day": fixed(fDate), "previous_day": fixed(fDate), "date_from_unix_date": fixed(fDate),
		"current_time": fixed(fTime), "to_time": fixed(fTime), "time": fixed(fTime),
		"time_from_parts": fixed(fTime), "parse_time": fixed(fTime),
		"current_timestamp": fixed(fTimestampTZ), "now": fixed(fTimestampTZ),
		"getdate": fixed(fTimestamp), "sysdate": fixed(fTimestamp), "localtimestamp": fixed(fTimestamp),
		"to_timestamp": fixed(fTimestamp), "to_timestamp_ntz": fixed(fTimestamp),
		"try_to_timestamp": fixed(fTimestamp), "try_to_timestamp_ntz": fixed(fTimestamp),
		"to_timestamp_tz": fixed(fTimestampTZ), "to_timestamp_ltz": fixed(fTimestampTZ),
		"try_to_timestamp_tz": fixed(fTimestampTZ), "try_to_timestamp_ltz": fixed(fTimestampTZ),
		"timestamp_from_parts": fixed(fTimestamp), "timestamp_ntz_from_parts": fixed(fTimestamp),
		"make_timestamp": fixed(fTimestamp), "datetime": fixed(fTimestamp),
		"parse_datetime": fixed(fTimestamp), "parse_timestamp": fixed(fTimestampTZ),
		"timestamp": fixed(fTimestampTZ), "timestamp_seconds": fixed(fTimestampTZ),
		"timestamp_millis": fixed(fTimestampTZ), "timestamp_micros": fixed(fTimestampTZ),
		"from_unixtime": fixed(fTimestamp), "to_timestamp_seconds": fixed(fTimestampTZ),
		"date_trunc": {ret: retDateTrunc}, "datetrunc": {ret: retDateTrunc},
		"timestamp_trunc": argType(0), "datetime_trunc": argType(0), "time_trunc": argType(0),
		"dateadd": {ret: retLastArg}, "timestampadd": {ret: retLastArg},
		"date_add": {ret: retDateAdd}, "date_sub": {ret: retDateAdd}, "datetime_add": argType(0),
		"datetime_sub": argType(0), "timestamp_add": argType(0), "timestamp_sub": argType(0),
		"add_months": argType(0), "time_slice": argType(0), "convert_timezone": fixed(fTimestamp),
		"date_part": fixed(fInt), "datepart": fixed(fInt), "extract": fixed(fInt),
		"age": fixed(fInterval), "justify_interval": fixed(fInterval),

		// semi-structured
		"parse_json": fixed(fJSON), "try_parse_json": fixed(fJSON), "to_variant": fixed(fJSON),
		"object_construct": fixed(fJSON), "object_construct_keep_null": fixed(fJSON),
		"object_insert": fixed(fJSON), "object_delete": fixed(fJSON), "object_pick": fixed(fJSON),
		"get": fixed(fJSON), "get_path": fixed(fJSON), "json_extract_path": fixed(fJSON),
		"to_json": fixed(fJSON), "json_build_object": fixed(fJSON), "jsonb_build_object": fixed(fJSON),
		"to_object": fixed(fJSON), "json_extract": fixed(fJSON), "json_query": fixed(fJSON),
		"array_construct": fixed(fArray), "array_construct_compact": fixed(fArray), "split": fixed(fArray),
		"string_to_array": fixed(fArray), "array_cat": fixed(fArray), "array_append": fixed(fArray),
		"array_prepend": fixed(fArray), "array_compact": fixed(fArray), "array_distinct": fixed(fArray),
		"array_slice": fixed(fArray), "array_sort": fixed(fArray), "generate_array": fixed(fArray),
		"generate_date_array": fixed(fArray), "array_concat": fixed(fArray), "to_array": fixed(fArray),
		"array_intersection": fixed(fArray), "array_except": fixed(fArray), "object_keys": fixed(fArray),
		"st_point": fixed(fGeo), "st_makepoint": fixed(fGeo), "to_geography": fixed(fGeo),
		"gen_random_uuid": fixed(fUUID), "uuid": fixed(fUUID),
	}
})

// snowflakeFuncs are Snowflake's differences (timeadd is its synonym of dateadd): date parts and sizes are NUMBER (the family's
// name), CURRENT_TIMESTAMP and its aliases are TIMESTAMP_LTZ while SYSDATE is TIMESTAMP_NTZ (in
// UTC), and the OBJECT functions return OBJECT, not VARIANT.
var snowflakeFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(named(map[string]fnRule{
		"uuid_string":      fixed(fString),
		"sysdate":          fixed(fTimestamp),
		"convert_timezone": fixed(fTimestamp),
		"median":           aggArg(0),
		"to_json":          fixed(fString),
		"sha2_binary":      fixed(fBinary),
		"timeadd":          {ret: retLastArg},
	}, "timestamp_ltz", "current_timestamp", "getdate", "localtimestamp", "systimestamp",
		"to_timestamp_ltz", "try_to_timestamp_ltz", "timestamp_ltz_from_parts"),
		"object", "object_construct", "object_construct_keep_null", "object_insert", "object_delete",
		"object_pick", "to_object", "object_agg")
})

// sparkFuncs are Spark's and Databricks' differences: their TIMESTAMP is the one with a
// session time zone (TIMESTAMP_NTZ is the other), and it is what these return. Date parts,
// lengths, positions, sizes and ranks are INT (the family's name is BIGINT, which count,
// unix_timestamp and the three-argument datediff return).
var sparkFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(map[string]fnRule{
		"to_timestamp":       fixed(fTimestampTZ),
		"try_to_timestamp":   fixed(fTimestampTZ),
		"from_utc_timestamp": fixed(fTimestampTZ),
		"to_utc_timestamp":   fixed(fTimestampTZ),
		"timestamp_seconds":  fixed(fTimestampTZ),
		"timestamp_millis":   fixed(fTimestampTZ),
		"timestamp_micros":   fixed(fTimestampTZ),
		"make_timestamp":     fixed(fTimestampTZ),
		"from_unixtime":      fixed(fString),
		"date_format":        fixed(fString),
		"unix_timestamp":     fixed(fInt),
		"current_timestamp":  fixed(fTimestampTZ),
		"now":                fixed(fTimestampTZ),
	}, "int", "year", "month", "day", "dayofmonth", "dayofweek", "dayofyear", "quarter", "hour",
		"minute", "second", "weekofyear", "weekday", "date_part", "datepart", "extract", "datediff",
		"unix_date", "length", "len", "char_length", "character_length", "octet_length", "bit_length",
		"instr", "locate", "position", "ascii", "levenshtein", "regexp_count", "regexp_instr", "size",
		"array_size", "cardinality", "json_array_length", "hash", "row_number", "rank", "dense_rank",
		"ntile")
})

// postgresFuncs are PostgreSQL's differences: lengths, positions and array sizes are integer
// (count and row_number bigint), date_part is double precision and extract numeric (PG 14+),
// to_timestamp (of an epoch or of a text and its format) is with time zone.
var postgresFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(map[string]fnRule{
		"date_part":    fixed(fFloat),
		"extract":      fixed(fDecimal),
		"to_timestamp": fixed(fTimestampTZ),
	}, "integer", "length", "char_length", "character_length", "octet_length", "bit_length",
		"strpos", "position", "ascii", "array_length", "cardinality", "json_array_length",
		"jsonb_array_length", "regexp_count", "regexp_instr", "levenshtein", "ntile", "width_bucket")
})

// redshiftFuncs are Redshift's differences: LEN and its synonyms are INTEGER and DATE_PART is
// DOUBLE PRECISION (DATEDIFF is BIGINT, the family's name); TO_TIMESTAMP is TIMESTAMPTZ.
var redshiftFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(map[string]fnRule{
		"date_part":    fixed(fFloat),
		"to_timestamp": fixed(fTimestampTZ),
	}, "integer", "len", "length", "char_length", "character_length", "textlen")
})

// tsqlFuncs are SQL Server's differences (CONVERT and TRY_CONVERT are read in call): GETDATE,
// GETUTCDATE and CURRENT_TIMESTAMP are DATETIME (SYSDATETIME alone is DATETIME2, the family's
// name); ISNULL takes its first argument's type, not the common one (a replacement is cast to
// it); FORMAT and DATENAME are NVARCHAR; COUNT_BIG and DATEDIFF_BIG BIGINT (the family's name
// is INT, which COUNT, LEN and DATEDIFF return).
var tsqlFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(named(map[string]fnRule{
		"iif":               common(1, 1),
		"isnull":            argType(0),
		"sysdatetime":       fixed(fTimestamp),
		"sysutcdatetime":    fixed(fTimestamp),
		"sysdatetimeoffset": fixed(fTimestampTZ),
		"len":               fixed(fInt),
		"datalength":        fixed(fInt),
		"charindex":         fixed(fInt),
		"datepart":          fixed(fInt),
		"datediff":          fixed(fInt),
		"newid":             fixed(fUUID),
		"eomonth":           fixed(fDate),
		"count_big":         {ret: retNamed, text: "bigint", agg: true},
		"datediff_big":      {ret: retNamed, text: "bigint"},
	}, "datetime", "getdate", "getutcdate", "current_timestamp"),
		"nvarchar", "format", "datename")
})

// trinoFuncs are Trino's (Athena's, Starburst's) differences: date_add(unit, value, x) and
// date_trunc return x's type; current_timestamp, now() and from_unixtime are
// TIMESTAMP(3) WITH TIME ZONE and localtimestamp TIMESTAMP(3), the precision Trino gives them.
var trinoFuncs = sync.OnceValue(func() map[string]fnRule {
	return named(named(map[string]fnRule{
		"date_add":        {ret: retLastArg},
		"date_format":     fixed(fString),
		"format_datetime": fixed(fString),
		"to_unixtime":     fixed(fFloat),
	}, "timestamp(3) with time zone", "current_timestamp", "now", "from_unixtime",
		"from_iso8601_timestamp"), "timestamp(3)", "localtimestamp", "date_parse")
})

// duckdbFuncs are DuckDB's differences: date_sub(part, start, end) counts the whole parts
// between two dates, as date_diff counts boundaries; both are BIGINT. to_timestamp of an
// epoch is TIMESTAMP WITH TIME ZONE.
var duckdbFuncs = sync.OnceValue(func() map[string]fnRule {
	return map[string]fnRule{
		"date_sub":     fixed(fInt),
		"to_timestamp": fixed(fTimestampTZ),
	}
})

// bigqueryFuncs are BigQuery's differences.
var bigqueryFuncs = sync.OnceValue(func() map[string]fnRule {
	return map[string]fnRule{
		"current_timestamp": fixed(fTimestampTZ),
		"current_datetime":  fixed(fTimestamp),
		"timestamp":         fixed(fTimestampTZ),
		"datetime":          fixed(fTimestamp),
		"md5":               fixed(fBinary),
		"sha256":            fixed(fBinary),
		"sha1":              fixed(fBinary),
		"generate_uuid":     fixed(fString),
		"json_extract":      fixed(fString),
		"json_query":        fixed(fString),
		"to_json":           fixed(fJSON),
		"split":             fixed(fArray),
	}
})

// lookupFunc finds the rule of a function in the dialect, by lower-case name; the schema of a
// qualified name (`safe.parse_date`, `public.f`) is dropped first.
func (d *dialect) lookupFunc(name string) (fnRule, bool) {
	name = foldName(name)
	if i := lastDot(name); i >= 0 {
		if name[:i] != "safe" && name[:i] != "pg_catalog" {
			// a user-defined function in a schema: its return type is unknown
			return fnRule{}, false
		}
		name = name[i+1:]
	}
	if d.funcs != nil {
		if r, ok := d.funcs[name]; ok {
			return r, true
		}
	}
	r, ok := commonFuncs()[name]
	return r, ok
}

// niladic: the rule types a call without arguments (CURRENT_TIMESTAMP written bare).
func (r fnRule) niladic() bool { return r.ret == retFixed || r.ret == retNamed }

// extractType is the type of EXTRACT(field FROM x): numeric in Postgres 14+, INT in Spark
// except for seconds, which keep their fraction as DECIMAL(8,6), and the family's integer
// (BIGINT, NUMBER, INT64) elsewhere.
func (d *dialect) extractType(field string) typ {
	switch d.name {
	case "postgres":
		return d.family(fDecimal)
	case "databricks":
		switch field {
		case "SECOND", "S", "SEC", "SECONDS", "SECS":
			return typeOf("decimal(8,6)")
		}
		return typeOf(d.types.integer)
	}
	return d.family(fInt)
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// funcResult computes the result type of a call from its rule and argument types.
func (d *dialect) funcResult(r fnRule, args []typ) typ {
	arg := func(i int) typ {
		if i >= 0 && i < len(args) {
			return args[i]
		}
		return unknownType
	}
	switch r.ret {
	case retFixed:
		return d.family(r.fam)
	case retNamed:
		return typeOf(r.text)
	case retArg:
		return arg(r.arg)
	case retLastArg:
		return arg(len(args) - 1)
	case retDateAdd:
		if len(args) == 3 {
			// date_add(unit, value, x), Snowflake's and Databricks' synonym of dateadd
			return arg(2)
		}
		x := arg(0)
		switch {
		case d.name == "databricks":
			// date_add(start, days) casts a timestamp start to a date
			return d.family(fDate)
		case d.name == "duckdb" && x.fam == fDate && arg(1).fam == fInterval:
			// date + interval is a timestamp in DuckDB
			return d.family(fTimestamp)
		}
		return x
	case retCommon:
		step := r.step
		if step == 0 {
			step = 1
		}
		var t typ
		first := true
		for i := r.arg; i < len(args); i += step {
			if first {
				t, first = args[i], false
				continue
			}
			t = d.commonType(t, args[i])
		}
		if r.step == 2 && len(args) > r.arg && (len(args)-1)%2 == 0 {
			// decode(x, s1, r1, ..., default): the default takes part too
			t = d.commonType(t, args[len(args)-1])
		}
		if t.fam == fNull {
			return unknownType
		}
		return t
	case retSum:
		a := arg(0)
		switch a.fam {
		case fInt:
			if d.name == "postgres" && (a.text == "bigint" || a.text == "int8") {
				// Postgres widens sum(bigint) to numeric
				return d.family(fDecimal)
			}
			return d.family(fInt)
		case fDecimal, fFloat:
			return d.family(a.fam)
		}
		return unknownType
	case retAvg:
		a := arg(0)
		switch a.fam {
		case fInt:
			return d.family(d.avgInt)
		case fDecimal:
			if d.name == "bigquery" || d.name == "duckdb" {
				return d.family(fFloat)
			}
			return d.family(fDecimal)
		case fFloat:
			return d.family(fFloat)
		}
		return unknownType
	case retDateTrunc:
		// date_trunc(part, x) in most dialects, date_trunc(x, part) in BigQuery.
		x := arg(1)
		if d.name == "bigquery" {
			x = arg(0)
		}
		if d.dateTruncKeepsType {
			return x
		}
		switch {
		case d.name == "databricks":
			// Spark truncates to its TIMESTAMP (with the session's zone) whatever it is given
			return d.family(fTimestampTZ)
		case x.fam == fTimestampTZ || x.fam == fInterval && d.name == "postgres":
			return x
		case x.fam == fDate && d.name == "postgres":
			// no date overload: a date is cast to timestamptz, the preferred type of the
			// category, so PostgreSQL truncates it in the session's time zone
			return d.family(fTimestampTZ)
		}
		return d.family(fTimestamp)
	}
	return unknownType
}
