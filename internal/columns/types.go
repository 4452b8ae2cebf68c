package columns

import (
	"strconv"
	"strings"
)

// family groups the many spellings of a data type into the classes the type rules need. Types
// are kept as text (as written in a cast, as the catalog lists them, or in the dialect's own
// name for an inferred type); the family is only computed to combine them.
type family uint8

const (
	fUnknown family = iota
	fNull           // the NULL literal: takes the type of whatever it meets
	fBool
	fInt
	fDecimal
	fFloat
	fString
	fDate
	fTime
	fTimestamp   // without time zone
	fTimestampTZ // with time zone (or Snowflake LTZ)
	fInterval
	fBinary
	fJSON // json, jsonb, variant, object, super
	fArray
	fStruct
	fGeo
	fUUID
)

// numeric reports whether the family takes part in arithmetic promotion.
func (f family) numeric() bool { return f == fInt || f == fDecimal || f == fFloat }

// familyOf classifies a type as written in any dialect. Parameters and array element types are
// ignored: `varchar(20)` is a string and `array<int64>` an array.
func familyOf(t string) family {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "" {
		return fUnknown
	}
	if i := strings.IndexAny(t, "(<"); i > 0 {
		base := strings.TrimSpace(t[:i])
		if strings.HasPrefix(t[i:], "<") || base == "array" {
			if base == "array" || base == "list" {
				return fArray
			}
			if base == "struct" || base == "row" || base == "map" {
				return fStruct
			}
		}
		// "timestamp(6) with time zone"
		rest := ""
		if j := strings.IndexByte(t, ')'); j > i {
			rest = strings.TrimSpace(t[j+1:])
		}
		t = strings.TrimSpace(base + " " + rest)
	}
	if strings.HasSuffix(t, "[]") {
		return fArray
	}
	switch t {
	case "bool", "boolean", "logical":
		return fBool
	case "int", "integer", "int2", "int4", "int8", "int16", "int32", "int64", "int128", "bigint",
		"smallint", "tinyint", "byteint", "hugeint", "ubigint", "uinteger", "usmallint",
		"utinyint", "uhugeint", "serial", "bigserial", "smallserial", "long", "short", "byte":
		return fInt
	case "number", "numeric", "decimal", "bignumeric", "bigdecimal", "dec", "money", "fixed":
		return fDecimal
	case "float", "float4", "float8", "float32", "float64", "double", "double precision", "real",
		"double_precision":
		return fFloat
	case "varchar", "char", "character", "character varying", "text", "string", "nvarchar",
		"nchar", "bpchar", "name", "citext", "nvarchar2", "varchar2", "clob", "tinytext",
		"mediumtext", "longtext":
		return fString
	case "date":
		return fDate
	case "time", "time without time zone", "time with time zone", "timetz":
		return fTime
	case "timestamp", "timestamp_ntz", "datetime", "timestamp without time zone", "datetime2",
		"smalldatetime", "timestamp_ns", "timestamp_ms", "timestamp_s":
		return fTimestamp
	case "timestamptz", "timestamp_tz", "timestamp_ltz", "timestamp with time zone",
		"timestamp with local time zone", "datetimeoffset":
		return fTimestampTZ
	case "interval":
		return fInterval
	case "binary", "varbinary", "bytea", "bytes", "blob", "bit varying":
		return fBinary
	case "json", "jsonb", "variant", "object", "super":
		return fJSON
	case "array", "list":
		return fArray
	case "struct", "row", "record", "map":
		return fStruct
	case "geography", "geometry":
		return fGeo
	case "uuid", "uniqueidentifier":
		return fUUID
	}
	if strings.HasPrefix(t, "interval") {
		return fInterval
	}
	if strings.HasPrefix(t, "timestamp") {
		if strings.Contains(t, "with time zone") {
			return fTimestampTZ
		}
		return fTimestamp
	}
	return fUnknown
}

// typeNames are the names a dialect gives an inferred type of each family: what its catalog
// would show, so a data_type we write into a property file reads like the warehouse's own.
type typeNames struct {
	boolean, bigint, integer, decimal, float, str, date, time, timestamp, timestamptz,
	interval, binary, json, array, strct, geo, uuid string
}

var (
	postgresTypes = typeNames{"boolean", "bigint", "integer", "numeric", "double precision", "text", "date",
		"time without time zone", "timestamp without time zone", "timestamp with time zone", "interval",
		"bytea", "jsonb", "array", "record", "geography", "uuid"}
	redshiftTypes = typeNames{"boolean", "bigint", "integer", "numeric", "double precision", "character varying",
		"date", "time without time zone", "timestamp without time zone", "timestamp with time zone",
		"interval", "varbyte", "super", "super", "super", "geography", "character varying"}
	snowflakeTypes = typeNames{"boolean", "number", "number", "number", "float", "varchar", "date", "time",
		"timestamp_ntz", "timestamp_tz", "", "binary", "variant", "array", "object", "geography", "varchar"}
	bigqueryTypes = typeNames{"bool", "int64", "int64", "numeric", "float64", "string", "date", "time",
		"datetime", "timestamp", "interval", "bytes", "json", "array", "struct", "geography", "string"}
	duckdbTypes = typeNames{"boolean", "bigint", "integer", "decimal", "double", "varchar", "date", "time",
		"timestamp", "timestamp with time zone", "interval", "blob", "json", "list", "struct", "geometry", "uuid"}
	sparkTypes = typeNames{"boolean", "bigint", "int", "decimal", "double", "string", "date", "string",
		"timestamp_ntz", "timestamp", "interval", "binary", "string", "array", "struct", "string", "string"}
	tsqlTypes = typeNames{"bit", "int", "int", "numeric", "float", "varchar", "date", "time",
		"datetime2", "datetimeoffset", "", "varbinary", "nvarchar", "", "", "geography", "uniqueidentifier"}
	trinoTypes = typeNames{"boolean", "bigint", "integer", "decimal", "double", "varchar", "date", "time",
		"timestamp", "timestamp with time zone", "interval day to second", "varbinary", "json", "array",
		"row", "geometry", "uuid"}
)

// name returns the dialect's name for a family, or "" when it has none.
func (n *typeNames) name(f family) string {
	switch f {
	case fBool:
		return n.boolean
	case fInt:
		return n.bigint
	case fDecimal:
		return n.decimal
	case fFloat:
		return n.float
	case fString:
		return n.str
	case fDate:
		return n.date
	case fTime:
		return n.time
	case fTimestamp:
		return n.timestamp
	case fTimestampTZ:
		return n.timestamptz
	case fInterval:
		return n.interval
	case fBinary:
		return n.binary
	case fJSON:
		return n.json
	case fArray:
		return n.array
	case fStruct:
		return n.strct
	case fGeo:
		return n.geo
	case fUUID:
		return n.uuid
	}
	return ""
}

// normalizeType writes a type as written in SQL the way we report it: lower case, single
// spaces, no space before a parenthesis.
func normalizeType(t string) string {
	t = strings.TrimSpace(t)
	if t == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(t))
	space := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if space && b.Len() > 0 && c != '(' && c != ')' && c != ',' && c != '<' && c != '>' {
			prev := b.String()[b.Len()-1]
			if prev != '(' && prev != '<' && prev != ',' {
				b.WriteByte(' ')
			}
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// typ is a data type during inference: its text (as reported) and family.
type typ struct {
	text string
	fam  family
}

var unknownType = typ{}

func typeOf(text string) typ {
	text = normalizeType(text)
	return typ{text: text, fam: familyOf(text)}
}

func (t typ) known() bool { return t.fam != fUnknown && t.fam != fNull }

// commonType is the type of coalesce/case/union over values of types a and b: the same type
// when they agree, numeric promotion (int < decimal < float), date < timestamp < timestamptz,
// and unknown when they cannot be reconciled. NULL takes the other side's type.
func (d *dialect) commonType(a, b typ) typ {
	switch {
	case a.fam == fNull:
		return b
	case b.fam == fNull:
		return a
	case a.fam == fUnknown || b.fam == fUnknown:
		return unknownType
	case a.text == b.text:
		return a
	case a.fam == fInt && b.fam == fInt && d.widerInt(a, b).known():
		// integer vs smallint: the wider, as for arithmetic
		return d.widerInt(a, b)
	case a.fam == b.fam:
		// varchar(10) vs varchar(20), int vs number: the family's general name.
		return d.family(a.fam)
	case a.fam.numeric() && b.fam.numeric():
		return d.family(max(a.fam, b.fam))
	case isTimeLike(a.fam) && isTimeLike(b.fam):
		return d.family(max(a.fam, b.fam))
	}
	return unknownType
}

// widerInt is the wider of two integer types as the warehouses that size integers promote
// them (smallint < integer < bigint < hugeint), or unknown when either size is not known or
// the dialect has one integer whatever the name (Snowflake's NUMBER, BigQuery's INT64): there
// the family's name is the type.
func (d *dialect) widerInt(a, b typ) typ {
	if d.name == "snowflake" || d.name == "bigquery" {
		return unknownType
	}
	wa, wb := intWidth(a.text), intWidth(b.text)
	switch {
	case wa == 0 || wb == 0:
		return unknownType
	case wb > wa:
		return b
	}
	return a
}

func intWidth(t string) int {
	switch t {
	case "tinyint", "byteint", "byte", "int1":
		return 1
	case "smallint", "int2", "short", "int16":
		return 2
	case "int", "integer", "int4", "int32":
		return 4
	case "bigint", "int8", "long", "int64":
		return 8
	case "hugeint", "int128":
		return 16
	}
	return 0
}

func isTimeLike(f family) bool { return f == fDate || f == fTimestamp || f == fTimestampTZ }

// family returns the dialect's own type for a family.
func (d *dialect) family(f family) typ {
	if f == fUnknown || f == fNull {
		return typ{fam: f}
	}
	name := d.types.name(f)
	if name == "" {
		return unknownType
	}
	return typ{text: name, fam: f}
}

// elementFields reads the fields of the structs an array type holds, as a catalog or a
// declared data_type writes it (`array<struct<sku string, qty int64>>`, `array<struct<a:
// int>>`): name and type text each, or nil when the type says no more.
func elementFields(text string) [][2]string {
	return structFields(elementType(text))
}

// elementType is the type of the elements of an array type (`array<T>`, `list<T>`, `T[]`), or
// "" when the type does not say.
func elementType(text string) string {
	t := strings.TrimSpace(text)
	if strings.HasSuffix(t, "[]") {
		return strings.TrimSpace(t[:len(t)-2])
	}
	lower := strings.ToLower(t)
	for _, p := range []string{"array<", "list<"} {
		if strings.HasPrefix(lower, p) && strings.HasSuffix(t, ">") {
			return strings.TrimSpace(t[len(p) : len(t)-1])
		}
	}
	return ""
}

// structFields reads the fields of a struct type (`struct<sku string, qty int64>`, `struct<a:
// int>`, Trino's `row(a varchar, b integer)`): name and type text each, or nil when the type
// says no more.
func structFields(text string) [][2]string {
	t := strings.TrimSpace(text)
	lower := strings.ToLower(t)
	var body string
	switch {
	case strings.HasPrefix(lower, "struct<") && strings.HasSuffix(t, ">"):
		body = t[len("struct<") : len(t)-1]
	case strings.HasPrefix(lower, "row(") && strings.HasSuffix(t, ")"):
		body = t[len("row(") : len(t)-1]
	default:
		return nil
	}
	var fields [][2]string
	depth, start := 0, 0
	split := func(part string) bool {
		part = strings.TrimSpace(part)
		name, typ, ok := strings.Cut(part, " ")
		if n, ty, colon := strings.Cut(part, ":"); colon && (!ok || len(n) < len(name)) {
			name, typ, ok = n, ty, true
		}
		name = strings.Trim(strings.TrimSpace(name), "`\"")
		if !ok || name == "" {
			return false
		}
		fields = append(fields, [2]string{name, strings.TrimSpace(typ)})
		return true
	}
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '<', '(':
			depth++
		case '>', ')':
			depth--
		case ',':
			if depth == 0 {
				if !split(body[start:i]) {
					return nil
				}
				start = i + 1
			}
		}
	}
	if !split(body[start:]) {
		return nil
	}
	return fields
}

// fieldType is the type of the field name of a struct type, unknown when the type does not
// list it. JSON stays JSON: a field of a variant is a variant.
func (d *dialect) fieldType(t typ, name string) typ {
	if t.fam == fJSON {
		return d.family(fJSON)
	}
	if t.fam != fStruct {
		return unknownType
	}
	for _, f := range structFields(t.text) {
		if foldName(f[0]) == foldName(name) {
			return typeOf(f[1])
		}
	}
	return unknownType
}

// arrayOf is the array type of elements of type elem, named as the warehouse names it, when
// elem is known and the dialect writes element types.
func (d *dialect) arrayOf(elem typ) (typ, bool) {
	if !elem.known() || elem.text == "" {
		return unknownType, false
	}
	switch d.name {
	case "postgres", "redshift", "duckdb":
		return typ{text: elem.text + "[]", fam: fArray}, true
	case "bigquery", "databricks":
		return typ{text: "array<" + elem.text + ">", fam: fArray}, true
	}
	return unknownType, false
}

// structField is a field of a struct value: its name ("" when it has none) and type.
type structField struct {
	name string
	t    typ
}

// structOf is the type of a struct value with these fields, as the warehouse writes it
// (BigQuery `struct<a int64,b string>`, Spark `struct<a:int,b:string>`), when every field's
// type is known; a field without a name stays anonymous in BigQuery and is colN in Spark.
func (d *dialect) structOf(fields []structField) (typ, bool) {
	if len(fields) == 0 || d.name != "bigquery" && d.name != "databricks" {
		return unknownType, false
	}
	var b strings.Builder
	b.WriteString("struct<")
	for i, f := range fields {
		if !f.t.known() || f.t.text == "" {
			return unknownType, false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		name := f.name
		if name != "" && !plainName(name) {
			name = "`" + strings.ReplaceAll(name, "`", "") + "`"
		}
		switch {
		case d.name == "databricks":
			if name == "" {
				name = "col" + strconv.Itoa(i+1)
			}
			b.WriteString(name + ":" + f.t.text)
		case name != "":
			b.WriteString(name + " " + f.t.text)
		default:
			b.WriteString(f.t.text)
		}
	}
	b.WriteByte('>')
	return typeOf(b.String()), true
}

// plainName reports whether a field name needs no quoting in a type: a letter or underscore,
// then letters, digits and underscores.
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
