package columns

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/source"
)

// expectColumns infers the columns of sql in a project whose upstream models and sources have
// the given columns (see testProject) and compares "name:type, ..." (type ? when unknown).
func expectColumns(t *testing.T, dialect string, upstream map[string]string, sql, want string) *Node {
	t.Helper()
	p := testProject(dialect, upstream)
	n := addModel(p, "m", sql)
	res := Infer(p, Options{Models: []string{n.UniqueID}})
	got := res.Node(n.UniqueID)
	if got == nil {
		t.Fatalf("no result for %s", n.UniqueID)
	}
	if s := format(got.Columns); s != want {
		t.Errorf("%s: %s\n got: %s\nwant: %s\nunresolved: %v\nnotes: %v", dialect, sql, s, want, got.Unresolved, got.Notes)
	}
	return got
}

func expectResolved(t *testing.T, n *Node) {
	t.Helper()
	if len(n.Unresolved) > 0 {
		t.Errorf("unexpected unresolved: %v", n.Unresolved)
	}
}

var shopUpstream = map[string]string{
	"orders":     "id:integer, customer_id:integer, amount:numeric(10,2), status:varchar, ordered_at:timestamp",
	"customers":  "id:integer, name:varchar, email:varchar",
	"raw.events": "event_id:varchar, user_id:integer, payload:variant, occurred_at:timestamp_ntz",
	"raw.blind":  "?",
}

func TestInferPostgres(t *testing.T) {
	u := shopUpstream
	pg := "postgres"
	expectResolved(t, expectColumns(t, pg, u, `select id, amount * 2 as double_amount, status = 'x' as is_x from orders`,
		"id:integer, double_amount:numeric, is_x:boolean"))
	expectColumns(t, pg, u, `select count(*), sum(id) as s, avg(id) as a, max(ordered_at) as last from orders`,
		"count:bigint, s:bigint, a:numeric, last:timestamp")
	expectColumns(t, pg, u, `select OrderID, "MixedCase" from (select id as OrderID, 1 as "MixedCase" from orders) t`,
		"orderid:integer, MixedCase:integer")
	expectColumns(t, pg, u, `select date_trunc('day', ordered_at) as d, ordered_at::date as day, cast(id as text) as s, id::bigint from orders`,
		"d:timestamp without time zone, day:date, s:text, id:bigint")
	expectColumns(t, pg, u, `select o.*, c.name from orders o join customers c on o.customer_id = c.id`,
		"id:integer, customer_id:integer, amount:numeric(10,2), status:varchar, ordered_at:timestamp, name:varchar")
	expectColumns(t, pg, u, `select * from orders join customers using (id)`,
		"id:integer, customer_id:integer, amount:numeric(10,2), status:varchar, ordered_at:timestamp, name:varchar, email:varchar")
	expectColumns(t, pg, u, `select coalesce(amount, 0) as a, case when id > 1 then 'big' else 'small' end as size, id || '-' || status as k from orders`,
		"a:numeric, size:text, k:text")
	expectColumns(t, pg, u, `select row_number() over (partition by customer_id order by ordered_at) as rn, lag(amount) over (order by id) as prev from orders`,
		"rn:bigint, prev:numeric(10,2)")
	expectColumns(t, pg, u, `with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) select n from r`,
		"n:integer")
	expectColumns(t, pg, u, `select * from (values (1, 'a'), (2, 'b')) as v(k, label)`,
		"k:integer, label:text")
	expectColumns(t, pg, u, `select id from orders union all select id from customers union select 1`,
		"id:integer")
	// A bare NULL in one branch takes the other branches' type, in either position.
	expectColumns(t, pg, u, `select null as a, id, ordered_at from orders union all select 1, null, null union all select null, 2, null`,
		"a:integer, id:integer, ordered_at:timestamp")
	expectColumns(t, pg, u, `select null as a union all select null`, "a:?")
	// A bare NULL in one branch takes the other branches' type (dbt's starter model).
	expectColumns(t, pg, u, `with s as (select 1 as id, 'a' as x union all select null as id, null as x) select * from s`,
		"id:integer, x:text")
	expectColumns(t, pg, u, `select null as id union all select null union all select amount from orders`, "id:numeric(10,2)")
	expectColumns(t, pg, u, `select null as id union all select null`, "id:?")
	expectColumns(t, pg, u, `select (select max(amount) from orders) as top, exists(select 1 from customers) as any_c`,
		"top:numeric(10,2), any_c:boolean")
	expectColumns(t, pg, u, `select n from orders, generate_series(1, 3) as n`, "n:integer")
	// jsonb key-exists `?` is an operator after an operand, not a bind parameter
	expectResolved(t, expectColumns(t, pg, u, `select id, status ? 'k' as has_k from orders where status ? 'x'`,
		"id:integer, has_k:boolean"))
	// what pg_typeof says on PostgreSQL 15
	u = map[string]string{"raw.events": "d:date, ts:timestamp, name:text, amount:integer, small:smallint"}
	expectResolved(t, expectColumns(t, pg, u, `select extract(year from d) as yr, date_part('month', d) as mon, length(name) as len,
		d - d as day_diff, d - 1 as prev_day, amount / 2 as half, amount / small as q, amount + small as s, small * 2 as dbl,
		date_trunc('month', d) as month_d, date_trunc('month', ts) as month_ts, localtimestamp as lts, current_timestamp as cts
		from raw.events`,
		"yr:numeric, mon:double precision, len:integer, day_diff:integer, prev_day:date, half:integer, q:integer, s:integer, "+
			"dbl:integer, month_d:timestamp with time zone, month_ts:timestamp without time zone, "+
			"lts:timestamp without time zone, cts:timestamp with time zone"))
}

func TestInferSnowflake(t *testing.T) {
	u := shopUpstream
	sf := "snowflake"
	expectResolved(t, expectColumns(t, sf, u, `select * exclude (payload) rename (user_id as uid) from raw.events`,
		"event_id:varchar, uid:integer, occurred_at:timestamp_ntz"))
	// One column excluded needs no brackets.
	expectResolved(t, expectColumns(t, sf, u, `select e.* exclude payload from raw.events e`,
		"event_id:varchar, user_id:integer, occurred_at:timestamp_ntz"))
	expectColumns(t, sf, u, `select payload:customer.id::string as customer_id, payload:amount as amt, e.payload['x'] as x from raw.events e`,
		"customer_id:string, amt:variant, x:variant")
	expectResolved(t, expectColumns(t, sf, u, `select payload :customer: id :: string as customer_id from raw.events`, "customer_id:string"))
	expectColumns(t, sf, u, `select f.value:name::varchar as name, f.index from raw.events e, lateral flatten(input => e.payload:items) f`,
		"name:varchar, index:number")
	expectColumns(t, sf, u, `select iff(amount > 0, 'pos', 'neg') as sign, count_if(amount > 0) as n, datediff(day, ordered_at, current_date) as age, count(*) from orders group by all`,
		"sign:varchar, n:number, age:number, COUNT(*):number")
	expectColumns(t, sf, u, `select user_id, * replace (event_id || 'x' as event_id) from raw.events`,
		"user_id:integer, event_id:varchar, user_id:integer, payload:variant, occurred_at:timestamp_ntz")
	expectColumns(t, sf, u, `select id, amount as amt, amt * 2 as double_amt from orders qualify row_number() over (partition by id order by id) = 1`,
		"id:integer, amt:numeric(10,2), double_amt:number")
	// A unit named by an abbreviation is no column: no note, no lineage.
	n := expectColumns(t, sf, u, `select dateadd(days, 1, ordered_at) as later, datediff(mins, ordered_at, current_date) as age, date_part(dow, ordered_at) as dow from orders`,
		"later:timestamp, age:number, dow:number")
	expectResolved(t, n)
	if len(n.Notes) > 0 || len(n.Columns[1].Lineage) != 1 {
		t.Errorf("notes %v, lineage %v", n.Notes, n.Columns[1].Lineage)
	}
	// CURRENT_TIMESTAMP and its aliases are TIMESTAMP_LTZ, SYSDATE() is NTZ (in UTC), the
	// two-argument CONVERT_TIMEZONE TZ; OBJECT_CONSTRUCT is an OBJECT
	expectResolved(t, expectColumns(t, sf, u, `select current_timestamp as c1, current_timestamp() as c2, getdate() as c3,
		localtimestamp() as c4, localtimestamp as c5, sysdate() as c6, to_timestamp_ltz(occurred_at) as c7,
		convert_timezone('UTC', occurred_at) as c8, object_construct('a', 1) as c9, parse_json('{}') as c10,
		coalesce(current_timestamp, getdate()) as c11, dateadd(day, 1, current_timestamp()) as c12 from raw.events`,
		"c1:timestamp_ltz, c2:timestamp_ltz, c3:timestamp_ltz, c4:timestamp_ltz, c5:timestamp_ltz, c6:timestamp_ntz, "+
			"c7:timestamp_ltz, c8:timestamp_tz, c9:object, c10:variant, c11:timestamp_ltz, c12:timestamp_ltz"))
	n = expectColumns(t, sf, u, `select user_id, object_agg(event_id, payload) as o from raw.events group by user_id`,
		"user_id:integer, o:object")
	if n.Columns[1].Kind != KindAggregate {
		t.Errorf("object_agg: kind %v, want aggregate", n.Columns[1].Kind)
	}
	n = expectColumns(t, sf, u, `select *, 1 as one from raw.blind`, "one:number")
	if len(n.Unresolved) == 0 {
		t.Error("a star over a source without columns must be unresolved")
	}
}

// Spark: a generator's several names, a CTE without AS, names beginning with digits and a
// reserved word as a table alias.
func TestInferSpark(t *testing.T) {
	u := map[string]string{"orders": "id:int, tags:array<string>, amount:decimal(10,2)"}
	expectResolved(t, expectColumns(t, "spark", u, `select id, posexplode(tags) as (pos, tag) from orders`, "id:int, pos:?, tag:?"))
	expectResolved(t, expectColumns(t, "databricks", u, `with base (select id, amount from orders) select order.id as 30d_id, order.amount as 1688_amount from base as order`,
		"30d_id:int, 1688_amount:decimal(10,2)"))
	u["events"] = "id:int, group:string, ts:timestamp"
	expectResolved(t, expectColumns(t, "databricks", u, `select id, group, e.group as g, min(ts) as ts from events as e group by id, group, e.group`,
		"id:int, group:string, g:string, ts:timestamp"))
	// Spark's TIMESTAMP carries the session's time zone: what these functions return.
	expectColumns(t, "databricks", u, `select to_timestamp('2024-01-01') as a, from_utc_timestamp(ts, 'UTC') as b, now() as c, cast(ts as timestamp) as d from events`,
		"a:timestamp, b:timestamp, c:timestamp, d:timestamp")
	// Date parts, lengths, positions, sizes and row numbers are INT; count, unix_timestamp
	// and the unit form of datediff BIGINT; seconds keep their fraction.
	u["raw.events"] = "event_date:date, name:string, tags:array<string>, ts:timestamp"
	n := expectColumns(t, "databricks", u, `select year(event_date) as yr, month(event_date) as mon, dayofweek(event_date) as dow,
		quarter(event_date) as qtr, dayofyear(event_date) as doy, day(event_date) as dom, hour(ts) as hr,
		datediff(event_date, event_date) as dd, length(name) as len, size(tags) as n_tags, instr(name, 'a') as pos,
		row_number() over (order by ts) as rn, count(*) over () as cnt, date_format(ts, 'yyyy') as fmt,
		unix_timestamp(ts) as unix_ts, datediff(day, ts, ts) as dd_unit, extract(year from ts) as ey,
		extract(second from ts) as es, date_part('MONTH', ts) as dpm, date_part('second', ts) as dps,
		date_trunc('MONTH', event_date) as m, localtimestamp() as lts, year(event_date) + 1 as next_yr
		from raw.events`,
		"yr:int, mon:int, dow:int, qtr:int, doy:int, dom:int, hr:int, dd:int, len:int, n_tags:int, pos:int, rn:int, "+
			"cnt:bigint, fmt:string, unix_ts:bigint, dd_unit:bigint, ey:int, es:decimal(8,6), dpm:int, dps:decimal(8,6), "+
			"m:timestamp, lts:timestamp_ntz, next_yr:int")
	expectResolved(t, n)
	if n.Columns[11].Kind != KindWindow {
		t.Errorf("row_number: kind %v, want window", n.Columns[11].Kind)
	}
}

// SQL Server's profile types read T-SQL: TOP, bracketed names, `alias = expr`, OPTION (...).
func TestInferSQLServer(t *testing.T) {
	u := shopUpstream
	for _, adapter := range []string{"sqlserver", "fabric", "synapse"} {
		expectResolved(t, expectColumns(t, adapter, u, `select top 10 id, [status] from orders`, "id:integer, status:varchar"))
		expectResolved(t, expectColumns(t, adapter, u, `select o.[id] as order_id, total = amount * 2, [first name] = status from orders as o`,
			"order_id:integer, total:numeric, first name:varchar"))
		expectResolved(t, expectColumns(t, adapter, u, `with c as (select id from orders) select id, count(*) as n, 7 / 2 as half from c group by id option (maxrecursion 0)`,
			"id:integer, n:int, half:int"))
		expectResolved(t, expectColumns(t, adapter, u, `select convert(varchar(10), ordered_at, 120) as d, try_convert(int, status) as s, iif(amount > 0, 'pos', 'neg') as sign, getdate() as now, len(status) as l from orders`,
			"d:varchar(10), s:int, sign:varchar, now:datetime, l:int"))
		// ISNULL keeps its first argument's type; + concatenates; FORMAT is nvarchar
		v := map[string]string{"customers": "id:int, name:nvarchar(100), code:varchar(10)"}
		expectResolved(t, expectColumns(t, adapter, v, `select isnull(name, 'unknown') as name, name + 'x' as tagged,
			code + 'x' as code2, format(getdate(), 'yyyy-MM') as ym, current_timestamp as ts, sysdatetime() as ts2,
			count_big(*) as n, datediff_big(second, getdate(), getdate()) as secs from customers group by name, code`,
			"name:nvarchar(100), tagged:nvarchar, code2:varchar, ym:nvarchar, ts:datetime, ts2:datetime2, n:bigint, secs:bigint"))
	}
}

// Trino (Athena, Starburst): date_add(unit, value, x) is x's type; a date plus an interval a date.
func TestInferTrino(t *testing.T) {
	u := map[string]string{"events": "id:integer, event_date:date, ts:timestamp(3)"}
	for _, adapter := range []string{"trino", "athena"} {
		expectResolved(t, expectColumns(t, adapter, u, `select date_add('day', 1, event_date) as next_day,
			date_add('hour', 1, ts) as next_hour, date_add('day', 1, current_date) as tomorrow,
			event_date + interval '1' day as next_day2, date_diff('day', event_date, event_date) as dd,
			date_trunc('month', event_date) as m, from_unixtime(id) as fu, current_timestamp as now,
			date_format(ts, '%Y') as y from events`,
			"next_day:date, next_hour:timestamp(3), tomorrow:date, next_day2:date, dd:bigint, m:date, "+
				"fu:timestamp(3) with time zone, now:timestamp(3) with time zone, y:varchar"))
	}
}

// Snowflake's dateadd of a date by a unit smaller than a day is a TIMESTAMP_NTZ.
func TestInferSnowflakeDateAdd(t *testing.T) {
	u := map[string]string{"events": "id:number, d:date, ts:timestamp_tz"}
	expectResolved(t, expectColumns(t, "snowflake", u, `select dateadd(day, 1, d) as a, dateadd(hour, 1, d) as b,
		date_add('minute', 5, d) as c, dateadd(hour, 1, ts) as e, timeadd(month, 1, d) as f from events`,
		"a:date, b:timestamp_ntz, c:timestamp_ntz, e:timestamp_tz, f:date"))
}

func TestInferBigQuery(t *testing.T) {
	u := map[string]string{
		"orders": "id:int64, items:array<struct<sku string, qty int64>>, customer:struct<id int64, name string>, created_at:timestamp",
	}
	bq := "bigquery"
	expectResolved(t, expectColumns(t, bq, u, "select * except (items), customer.name, o.customer.id as cid from orders o",
		"id:int64, customer:struct<id int64,name string>, created_at:timestamp, name:string, cid:int64"))
	expectColumns(t, bq, u, "select id, item.sku, off from orders, unnest(items) as item with offset as off",
		"id:int64, sku:string, off:int64")
	// alias.* of an unnested array gives its elements' fields, not a column named after the
	// alias: those its type names, else unresolved
	expectResolved(t, expectColumns(t, bq, u, "select id, j.* from orders, unnest(items) as j", "id:int64, sku:string, qty:int64"))
	u["events"] = "id:int64, params:array<struct>"
	n := expectColumns(t, bq, u, "select id, p.* from events, unnest(params) as p", "id:int64")
	if len(n.Unresolved) == 0 {
		t.Error("p.* over an unnested array of structs whose fields are unknown must be unresolved")
	}
	expectColumns(t, bq, u, "select date_trunc(date(created_at), month) as m, count(*) from orders group by 1",
		"m:date, f0_:int64")
	// HAVING MAX picks the row: the value is the argument's, and both columns feed it.
	n = expectColumns(t, bq, u, "select id, any_value(customer having max created_at) as latest from orders group by id",
		"id:int64, latest:struct<id int64,name string>")
	expectResolved(t, n)
	if got := lineageOf(n.Columns[1]); got != "orders.customer orders.created_at" {
		t.Errorf("latest: lineage %q", got)
	}
	expectColumns(t, bq, u, "select * replace (id * 2 as id) from orders",
		"id:int64, items:array<struct<sku string,qty int64>>, customer:struct<id int64,name string>, created_at:timestamp")
	// Matches by name: FULL keeps every column, LEFT the first branch's, INNER (the
	// default of CORRESPONDING) those both have, and a list only its own.
	u["a"], u["b"] = "id:int64, x:string", "y:date, id:int64"
	expectResolved(t, expectColumns(t, bq, u, "select * from a full union all corresponding select * from b", "id:int64, x:string, y:date"))
	expectColumns(t, bq, u, "select * from a left outer union all by name select * from b", "id:int64, x:string")
	expectColumns(t, bq, u, "select * from a union distinct corresponding select * from b", "id:int64")
	expectColumns(t, bq, u, "select * from a full union all corresponding by (y, id) select * from b", "y:date, id:int64")
}

// BigQuery's UNNEST of an array of structs, as GA4 and Firebase exports are read: without an
// alias the elements' fields are its columns, with one the alias names the element; either way
// a field is typed as the array's type lists it and comes from the array.
func TestInferBigQueryUnnestFields(t *testing.T) {
	u := map[string]string{
		"raw.events": "id:string, event_params:array<struct<key string, value struct<string_value string, int_value int64>>>, tags:array<string>, blind:array<struct>",
	}
	bq := "bigquery"
	n := expectColumns(t, bq, u, `select id,
		(select value.string_value from unnest(event_params) where key = 'page_location') as page_location,
		(select p.value.int_value from unnest(event_params) as p where p.key = 'ga_session_id') as session_id,
		(select value from unnest(event_params) where key = 'k') as v
		from raw.events`,
		"id:string, page_location:string, session_id:int64, v:struct<string_value string,int_value int64>")
	expectResolved(t, n)
	if len(n.Notes) > 0 {
		t.Errorf("notes: %v", n.Notes)
	}
	for _, c := range n.Columns[1:] {
		if got := lineageOf(c); got != "events.event_params" {
			t.Errorf("%s: lineage %q", c.Name, got)
		}
	}
	expectResolved(t, expectColumns(t, bq, u, "select id, key, value.int_value as n, tag from raw.events, unnest(event_params), unnest(tags) as tag",
		"id:string, key:string, n:int64, tag:string"))
	expectColumns(t, bq, u, "select * from raw.events, unnest(event_params) with offset", "id:string, event_params:array<struct<key string,value struct<string_value string,int_value int64>>>, tags:array<string>, blind:array<struct>, key:string, value:struct<string_value string,int_value int64>, offset:int64")
	// Fields the type does not list: a name is read as one of them, from the array, unless the
	// enclosing query lists it (a correlated reference).
	n = expectColumns(t, bq, u, `select (select value from unnest(blind) where key = id) as v, (select id from unnest(blind) limit 1) as w from raw.events`, "v:?, w:string")
	if len(n.Notes) > 0 || lineageOf(n.Columns[0]) != "events.blind" || lineageOf(n.Columns[1]) != "events.id" {
		t.Errorf("notes %v, lineage %q %q", n.Notes, lineageOf(n.Columns[0]), lineageOf(n.Columns[1]))
	}
	if n := expectColumns(t, bq, u, "select * from unnest((select blind from raw.events limit 1))", ""); len(n.Unresolved) == 0 {
		t.Error("* over an unnest whose fields are unknown must be unresolved")
	}
}

// STRUCT(a, b AS c) names its fields after the columns and aliases, so an array of them keeps
// its fields for a reader's unnest(x) AS j ... j.*.
func TestInferStructFieldNames(t *testing.T) {
	p := testProject("bigquery", map[string]string{"base": "hour:timestamp, job_id:string, cost:numeric"})
	agg := addModel(p, "agg", `select hour, array_agg(struct(job_id, cast(cost as float64) as cost)) as jobs,
		array_agg(struct(b.job_id as id, 1 as n, 'x')) as jobs2, struct(job_id) as one, [struct(1 as a)] as arr,
		array(select as struct job_id, hour from unnest([1])) as sub
		from base as b group by hour, job_id`)
	flat := addModel(p, "flat", `select hour, j.* from agg, unnest(jobs) as j`)
	res := Infer(p, Options{Models: []string{agg.UniqueID, flat.UniqueID}})
	a, f := res.Node(agg.UniqueID), res.Node(flat.UniqueID)
	if got, want := format(a.Columns), "hour:timestamp, jobs:array<struct<job_id string,cost float64>>, jobs2:array<struct<id string,n int64,string>>, one:struct<job_id string>, arr:array<struct<a int64>>, sub:array<struct<job_id string,hour timestamp>>"; got != want {
		t.Errorf("agg\n got: %s\nwant: %s", got, want)
	}
	if a.Columns[1].Kind != KindAggregate {
		t.Errorf("jobs: kind %s", a.Columns[1].Kind)
	}
	if got, want := format(f.Columns), "hour:timestamp, job_id:string, cost:float64"; got != want || len(f.Unresolved) > 0 {
		t.Errorf("flat\n got: %s\nwant: %s\nunresolved: %v", got, want, f.Unresolved)
	}
	// Spark names them too; the other dialects keep the family.
	expectColumns(t, "databricks", map[string]string{"base": "job_id:string, cost:double"}, "select struct(job_id, cost as c, 1) as s from base", "s:struct<job_id:string,c:double,col3:int>")
	expectColumns(t, "snowflake", shopUpstream, "select array_agg(id) as ids from orders", "ids:array")
}

func TestInferDuckDB(t *testing.T) {
	u := shopUpstream
	dd := "duckdb"
	expectResolved(t, expectColumns(t, dd, u, `select * exclude (email) from customers`, "id:integer, name:varchar"))
	expectResolved(t, expectColumns(t, dd, u, `select c.* exclude email from customers c`, "id:integer, name:varchar"))
	expectColumns(t, dd, u, `select id, list(amount) as amounts, avg(amount) as a from orders group by all`,
		"id:integer, amounts:numeric(10,2)[], a:double")
	expectColumns(t, dd, u, `select customers.* from orders natural join customers`,
		"id:integer, name:varchar, email:varchar")
	expectColumns(t, dd, u, `select * from orders natural join customers`,
		"id:integer, customer_id:integer, amount:numeric(10,2), status:varchar, ordered_at:timestamp, name:varchar, email:varchar")
	expectColumns(t, dd, u, `from orders select id`, "id:integer")
}

func TestInferPivotUnpivot(t *testing.T) {
	u := map[string]string{"sales": "region:varchar, quarter:varchar, amount:number", "wide": "id:number, q1:number, q2:number"}
	expectColumns(t, "snowflake", u, `select * from sales pivot (sum(amount) for quarter in ('Q1', 'Q2')) as p`,
		"region:varchar, 'Q1':number, 'Q2':number")
	expectColumns(t, "snowflake", u, `select * from wide unpivot (amount for quarter in (q1, q2))`,
		"id:number, quarter:varchar, amount:number")
}

func TestInferLineage(t *testing.T) {
	u := shopUpstream
	n := expectColumns(t, "postgres", u, `
		with o as (select id as order_id, customer_id, amount from orders),
		     agg as (select customer_id, sum(amount) as total from o group by 1)
		select c.name, agg.total, agg.total / 100 as total_dollars
		from customers c left join agg on agg.customer_id = c.id`,
		"name:varchar, total:numeric, total_dollars:numeric")
	want := []struct {
		lineage string
		kind    Kind
	}{{"customers.name", KindDirect}, {"orders.amount", KindAggregate}, {"orders.amount", KindAggregate}}
	for i, w := range want {
		c := n.Columns[i]
		if got := lineageOf(c); got != w.lineage || c.Kind != w.kind {
			t.Errorf("%s: lineage %q kind %s, want %q %s", c.Name, got, c.Kind, w.lineage, w.kind)
		}
	}
}

func TestInferPositionsThroughRender(t *testing.T) {
	p := testProject("duckdb", map[string]string{"orders": "id:integer"})
	// template pieces: literal text, or a tag with what it renders to
	tmpl, r := renderPieces(
		tag{"{{ config(materialized='table') }}", ""},
		"\nselect\n    id,\n    ",
		tag{"{{ 1 + 1 }}", "2"},
		" as two\nfrom ",
		tag{"{{ ref('orders') }}", "orders"},
		"\n",
	)
	n := addModel(p, "m", tmpl)
	n.Render = r
	res := Infer(p, Options{})
	got := res.Node(n.UniqueID)
	if len(got.Columns) != 2 {
		t.Fatalf("columns: %s %v", format(got.Columns), got.Unresolved)
	}
	if pos := got.Columns[0].Pos; pos.Line != 3 || pos.Column != 5 || pos.Path != "models/m.sql" {
		t.Errorf("id position: %+v", pos)
	}
	if pos := got.Columns[1].Pos; pos.Line != 4 || pos.Column != 5 {
		t.Errorf("two position (an expression tag maps to its start): %+v", pos)
	}
}

type tag struct{ src, out string }

// renderPieces builds a template, its render and the offset map between them.
func renderPieces(pieces ...any) (string, *jinja.Result) {
	var tmpl, out strings.Builder
	m := &jinja.OffsetMap{}
	for _, pc := range pieces {
		switch x := pc.(type) {
		case string:
			m.Segments = append(m.Segments, jinja.Segment{Out: out.Len(), Len: len(x), Src: tmpl.Len(), Literal: true})
			tmpl.WriteString(x)
			out.WriteString(x)
		case tag:
			if x.out != "" {
				m.Segments = append(m.Segments, jinja.Segment{Out: out.Len(), Len: len(x.out), Src: tmpl.Len()})
			}
			tmpl.WriteString(x.src)
			out.WriteString(x.out)
		}
	}
	return tmpl.String(), &jinja.Result{Output: out.String(), Map: m}
}

type fakeDescriber map[string][]CatalogColumn

func (f fakeDescriber) DescribeRelation(_ context.Context, _, _, ident string) ([]CatalogColumn, bool, error) {
	cols, ok := f[strings.ToUpper(ident)]
	return cols, ok, nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInferSeedTypes(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/raw_things.csv"
	writeFile(t, path, "id,name,price,active,created_on,created_at\n1,a,1.5,true,2024-01-02,2024-01-02 03:04:05\n2,b,2,false,2024-01-03,2024-01-03 00:00:00\n")
	p := testProject("postgres", nil)
	p.Nodes["seed.p.raw_things"] = &dbt.Node{UniqueID: "seed.p.raw_things", ResourceType: dbt.Seed, Name: "raw_things",
		FilePath: path, OriginalFilePath: "seeds/raw_things.csv", Config: map[string]any{"column_types": map[string]any{"name": "varchar(10)"}}}
	res := Infer(p, Options{})
	got := format(res.Node("seed.p.raw_things").Columns)
	want := "id:integer, name:varchar(10), price:double precision, active:boolean, created_on:date, created_at:timestamp without time zone"
	if got != want {
		t.Errorf("seed types:\n got %s\nwant %s", got, want)
	}
}

func TestInferCatalogAndDescriber(t *testing.T) {
	p := testProject("snowflake", map[string]string{"raw.events": "?", "raw.other": "?"})
	addModel(p, "m", "select * from raw.events join raw.other using (ID)")
	res := Infer(p, Options{
		Catalog:   map[string][]CatalogColumn{"source.p.raw.events": {{Name: "ID", DataType: "NUMBER"}, {Name: "KIND", DataType: "TEXT"}}},
		Describer: fakeDescriber{"OTHER": {{Name: "ID", DataType: "NUMBER"}, {Name: "Quoted", DataType: "TEXT"}}},
	})
	got := res.Node("model.p.m")
	if s := format(got.Columns); s != "id:number, kind:text, Quoted:text" {
		t.Errorf("columns from catalog and warehouse: %s (%v)", s, got.Unresolved)
	}
	expectResolved(t, got)
}

func TestInferUnresolvedReasons(t *testing.T) {
	n := expectColumns(t, "postgres", nil, "select * from somewhere_else", "")
	if len(n.Unresolved) != 1 || !strings.Contains(n.Unresolved[0].String(), "models/m.sql:1:15") ||
		!strings.Contains(n.Unresolved[0].Reason, "somewhere_else") {
		t.Errorf("unknown relation reason: %v", n.Unresolved)
	}
	n = expectColumns(t, "postgres", nil, "select 1 as a,, from", "a:integer, ?column?:?")
	if len(n.Unresolved) == 0 || n.Unresolved[0].Kind != "parse-error" || n.Unresolved[0].Pos.Line != 1 {
		t.Errorf("parse error reason: %v", n.Unresolved)
	}
	// a star over an unknown relation that does not reach the output is fine
	expectResolved(t, expectColumns(t, "postgres", map[string]string{"raw.x": "?"},
		"with a as (select * from raw.x) select a.id, a.name from a", "id:?, name:?"))
}

func TestInferRestoresDbtUtilsStar(t *testing.T) {
	p := testProject("snowflake", map[string]string{"customers": "id:number, name:varchar, email:varchar, secret:varchar"})
	tmpl, r := renderPieces(
		"select\n    'x' as src,\n    ",
		tag{"{{ dbt_utils.star(from=ref('customers'), relation_alias='c', except=['secret', \"email\"]) }}", ""},
		"\nfrom ",
		tag{"{{ ref('customers') }}", "customers"},
		" c\n",
	)
	n := addModel(p, "m", tmpl)
	n.Render = r
	got := Infer(p, Options{}).Node(n.UniqueID)
	if s := format(got.Columns); s != "src:varchar, id:number, name:varchar" {
		t.Errorf("columns: %s (%v)", s, got.Unresolved)
	}
	if pos := got.Columns[1].Pos; pos.Line != 3 || pos.Column != 5 {
		t.Errorf("the star's columns point at the macro call: %+v", pos)
	}
	// a call that rendered columns is left alone
	tmpl, r = renderPieces("select ", tag{"{{ dbt_utils.star(ref('customers')) }}", "id, name"}, " from ", tag{"{{ ref('customers') }}", "customers"})
	n2 := addModel(p, "m2", tmpl)
	n2.Render = r
	if s := format(Infer(p, Options{}).Node(n2.UniqueID).Columns); s != "id:number, name:varchar" {
		t.Errorf("rendered star: %s", s)
	}
	// installed dbt_utils renders a bare * while parsing: alias and except are added to it
	tmpl, r = renderPieces(
		"select\n    ",
		tag{"{{ dbt_utils.star(from=ref('customers'), relation_alias='c', except=['secret']) }}", "\n*"},
		", o.x\nfrom ",
		tag{"{{ ref('customers') }}", "customers"},
		" c cross join (select 1 as x) o\n",
	)
	n3 := addModel(p, "m3", tmpl)
	n3.Render = r
	got = Infer(p, Options{}).Node(n3.UniqueID)
	if s := format(got.Columns); s != "id:number, name:varchar, email:varchar, x:number" {
		t.Errorf("bare star: %s (%v %v)", s, got.Unresolved, got.Notes)
	}
	if pos := got.Columns[0].Pos; pos.Line != 2 || pos.Column != 5 {
		t.Errorf("the bare star's columns point at the macro call: %+v", pos)
	}
	if pos := got.Columns[3].Pos; pos.Line != 2 || pos.Column != 89 {
		t.Errorf("o.x after the call keeps its position: %+v", pos)
	}
	// an except list set earlier in the template, named by its variable
	tmpl, r = renderPieces(
		"",
		tag{"{% set except_columns = ['secret', 'email'] %}", ""},
		"select ",
		tag{"{{ dbt_utils.star(from=ref('customers'), except=except_columns) }}", "*"},
		" from ",
		tag{"{{ ref('customers') }}", "customers"},
	)
	n4 := addModel(p, "m4", tmpl)
	n4.Render = r
	if s := format(Infer(p, Options{}).Node(n4.UniqueID).Columns); s != "id:number, name:varchar" {
		t.Errorf("except list in a variable: %s", s)
	}
}

func TestInferToleratesErrorsInsideNamedItems(t *testing.T) {
	// an unknown type macro rendered to nothing: the names are still known
	n := expectColumns(t, "bigquery", map[string]string{"raw.t": "Fee:float64, Date:string"},
		"select cast(Fee as ) as Fee, cast(Date as ) as Date from raw.t", "Fee:?, Date:?")
	expectResolved(t, n)
	if len(n.Notes) == 0 || n.Notes[len(n.Notes)-1].Kind != "parse-error" {
		t.Errorf("the parse errors stay as notes: %v", n.Notes)
	}
}

func TestGuessDialect(t *testing.T) {
	p := testProject("duckdb", nil)
	p.Target = &dbt.Target{Type: "duckdb"} // defaulted: no profiles.yml
	addModel(p, "a", "select iff(x, 1, 2) as y, v:field::string as f from t")
	addModel(p, "b", "select try_to_number(z) as n from t")
	p.Nodes["model.p.a"].Config = map[string]any{"snowflake_warehouse": "XS"}
	if got := guessDialect(p); got != "snowflake" {
		t.Errorf("guess = %q, want snowflake", got)
	}
	p.Target.File = "profiles.yml"
	if got := guessDialect(p); got != "" {
		t.Errorf("a profile's type wins: %q", got)
	}
	q := testProject("duckdb", nil)
	q.Target = &dbt.Target{Type: "duckdb"}
	q.Profile = "bigquery"
	if got := guessDialect(q); got != "bigquery" {
		t.Errorf("profile named after an adapter: %q", got)
	}
	addModel(q, "c", "select 1 as x")
	q.Profile = "shop"
	if got := guessDialect(q); got != "" {
		t.Errorf("no evidence: %q", got)
	}
	// A package written for every warehouse (Fivetran's set file_format on all of them) is no
	// evidence about the project that installs it.
	pkg := addModel(q, "stg_orders_tmp", "select iff(a, 1, 2) as x from t")
	pkg.Package = "shopify"
	pkg.Config = map[string]any{"file_format": "parquet", "snowflake_warehouse": "XS"}
	if got := guessDialect(q); got != "" {
		t.Errorf("a package's configs and SQL decided the dialect: %q", got)
	}
	// The package itself as the project: file_format 'parquet' is what it sets off Databricks.
	own := addModel(q, "orders", "select 1 as x")
	own.Config = map[string]any{"file_format": "parquet"}
	if got := guessDialect(q); got != "" {
		t.Errorf("file_format parquet is not Databricks: %q", got)
	}
	own.Config = map[string]any{"file_format": "delta"}
	if got := guessDialect(q); got != "databricks" {
		t.Errorf("file_format delta is Databricks: %q", got)
	}
}

// A project guessed to be BigQuery's (no profile) is rendered by the loader with DuckDB's
// double-quoted relations, which BigQuery reads as strings: such a model is read in the
// loader's dialect, the rest in the guess's.
// T-SQL's own constructs (APPLY, TOP, GETDATE, NOLOCK...) point at SQL Server.
func TestGuessSQLServer(t *testing.T) {
	p := testProject("duckdb", nil)
	p.Target = &dbt.Target{Type: "duckdb"}
	addModel(p, "a", "select top 10 a.x, getdate() as now from t as a cross apply (select 1 as y) as d")
	addModel(p, "b", "select iif(x > 0, 1, 0) as pos from t with (nolock)")
	if got := guessDialect(p); got != "sqlserver" {
		t.Errorf("guess = %q, want sqlserver", got)
	}
}

func TestGuessedDialectFallsBackToTheLoaders(t *testing.T) {
	p := testProject("duckdb", nil)
	p.Target = &dbt.Target{Type: "duckdb"} // defaulted: no profiles.yml
	p.Profile = "bigquery"
	addModel(p, "orders", "select safe_cast(x as int64) as id, `v` as v from raw.t")
	quoted := addModel(p, "daily", `select date, sum(id) total from "db"."analytics"."orders" group by 1`)
	res := Infer(p, Options{})
	if res.Dialect != "bigquery" || res.Fallback != "duckdb" {
		t.Fatalf("dialect %q, fallback %q", res.Dialect, res.Fallback)
	}
	n := res.Node(quoted.UniqueID)
	if len(n.Columns) != 2 || n.Columns[1].Name != "total" || len(n.Unresolved) > 0 {
		t.Errorf("read in the loader's dialect: %s (%v)", format(n.Columns), n.Unresolved)
	}
	if s := format(res.Node("model.p.orders").Columns); s != "id:int64, v:?" {
		t.Errorf("read in the guess's dialect: %s", s)
	}
	// A dialect given is not a guess: nothing falls back.
	if res := Infer(p, Options{Dialect: "bigquery"}); res.Fallback != "" || len(res.Node(quoted.UniqueID).Unresolved) == 0 {
		t.Errorf("a given dialect fell back: %q %s", res.Fallback, format(res.Node(quoted.UniqueID).Columns))
	}
}

func TestInferEphemeralAndThis(t *testing.T) {
	// compiled code names an ephemeral model by its CTE name, and {{ this }} by the model's
	// own relation
	n := expectColumns(t, "postgres", map[string]string{"eph": "id:integer, v:text"},
		`select e.*, (select max(id) from analytics.m) as prev_max from __dbt__cte__eph e`,
		"id:integer, v:text, prev_max:?")
	expectResolved(t, n)
	if l := lineageOf(n.Columns[0]); l != "eph.id" {
		t.Errorf("lineage through the ephemeral CTE name: %q", l)
	}
}

// A model read by its relation name, without ref() (`from stg.z_view`), is inferred before its
// reader even when it sorts after it, and joins a selection of the reader; a cache hit knows the
// name too. On a cycle the reader is read as before, with the other's columns unknown.
func TestInferReadsHardCodedRelationFirst(t *testing.T) {
	build := func(cycle bool) (*dbt.Project, *dbt.Node) {
		p := testProject("postgres", nil)
		b := addModel(p, "b", "select *, 3 as z from stg.z_view")
		z := addModel(p, "z_view", "select 1 as x, 2 as y")
		z.Schema = "stg"
		if cycle {
			z.RawCode = "select 1 as x, 2 as y, (select count(*) from analytics.b) as n"
		} else {
			z.DependsOn.Nodes = nil
		}
		return p, b
	}
	cacheDir := filepath.Join(t.TempDir(), "cache")
	stored, hit := openCache(t, cacheDir), openCache(t, cacheDir)
	b1 := []string{"model.p.b"}
	for _, opts := range []Options{{Workers: 1}, {Workers: 4}, {Models: b1}, {Models: b1, Cache: stored}, {Models: b1, Cache: hit}} {
		p, b := build(false)
		got := Infer(p, opts).Node(b.UniqueID)
		if s := format(got.Columns); s != "x:integer, y:integer, z:integer" || len(got.Unresolved) > 0 {
			t.Errorf("%+v: %s %v", opts, s, got.Unresolved)
		}
		if l := lineageOf(got.Columns[0]); l != "z_view.x" {
			t.Errorf("lineage %q", l)
		}
	}
	if st := hit.Stats(); st.Hits != 2 {
		t.Errorf("the second run should restore both models: %+v", st)
	}
	p, b := build(true)
	res := Infer(p, Options{Workers: 2})
	if got := res.Node(b.UniqueID); format(got.Columns) != "z:integer" || len(got.Unresolved) == 0 {
		t.Errorf("on a cycle: %s %v", format(got.Columns), got.Unresolved)
	}
	if got := res.Node("model.p.z_view"); format(got.Columns) != "x:integer, y:integer, n:bigint" {
		t.Errorf("on a cycle, z_view: %s", format(got.Columns))
	}
}

func openCache(t *testing.T, dir string) *cache.Cache {
	t.Helper()
	c, err := cache.New(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInferSnapshot(t *testing.T) {
	p := testProject("postgres", map[string]string{"orders": "id:integer, status:text"})
	n := addModel(p, "orders_snapshot", "\nselect id, status from orders\n")
	n.ResourceType = dbt.Snapshot
	n.RelPath = "snapshots/orders.sql"
	n.Template = source.Shift{Line: 2, Column: 29} // the block starts on line 3, after `{% snapshot orders_snapshot %}`
	got := Infer(p, Options{}).Node(n.UniqueID)
	want := "id:integer, status:text, dbt_scd_id:text, dbt_updated_at:timestamp without time zone, " +
		"dbt_valid_from:timestamp without time zone, dbt_valid_to:timestamp without time zone"
	if s := format(got.Columns); s != want {
		t.Errorf("snapshot columns:\n got %s\nwant %s", s, want)
	}
	if pos := got.Columns[0].Pos; pos != (dbt.Pos{Path: "snapshots/orders.sql", Line: 4, Column: 8}) {
		t.Errorf("position in the snapshot file: %+v", pos)
	}
}

// A cast to the Jinja columns hook's placeholder type is a column of unknown type, not of a
// type by that name.
func TestInferPlaceholderTypeIsUnknown(t *testing.T) {
	expectColumns(t, "snowflake", map[string]string{"raw.x": "id:number"},
		"select cast(null as "+jinja.UnknownType+") as a, cast(id as int) as b from raw.x", "a:?, b:int")
}

// An item nobody named is still unnamed when a star selects it: the schema synthesizer then
// asks for a name instead of documenting the warehouse's made-up one.
func TestUnnamedThroughAStar(t *testing.T) {
	got := expectColumns(t, "postgres", shopUpstream, `with f as (select id + 1, id from orders) select * from f`,
		"?column?:integer, id:integer")
	if !got.Columns[0].Unnamed || got.Columns[1].Unnamed {
		t.Errorf("unnamed: %v %v", got.Columns[0].Unnamed, got.Columns[1].Unnamed)
	}
}

// A call captured by a block set renders where the variable is printed, star included: no
// star is put back where the call is written (before the statement, where it broke the parse).
func TestInferStarInSetBlock(t *testing.T) {
	p := testProject("snowflake", map[string]string{"customers": "id:number, name:varchar"})
	tmpl, r := renderPieces(
		"",
		tag{"{%- set inner -%} select {{ dbt_utils.star(from=ref('customers')) }}, 1 as flag from {{ ref('customers') }} {%- endset -%}", ""},
		"\n",
		tag{"{{ inner }}", "select *, 1 as flag from customers"},
	)
	n := addModel(p, "m", tmpl)
	n.Render = r
	got := Infer(p, Options{}).Node(n.UniqueID)
	if s := format(got.Columns); s != "id:number, name:varchar, flag:number" || len(got.Unresolved) > 0 {
		t.Errorf("columns: %s (%v)", s, got.Unresolved)
	}
	if src := "{% set a %}x{% endset %}y{% set b = 1 %}z"; !inSetBlock(src, strings.Index(src, "x")) ||
		inSetBlock(src, strings.Index(src, "y")) || inSetBlock(src, strings.Index(src, "z")) {
		t.Error("inSetBlock: x is inside the block, y and z are not")
	}
}
