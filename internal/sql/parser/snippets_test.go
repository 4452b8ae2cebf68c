package parser

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
)

// TestDialectSnippets parses constructs seen in real dbt projects of each warehouse: each must
// parse without error and its canonical print must be stable.
func TestDialectSnippets(t *testing.T) {
	for _, c := range [][2]string{
		{"snowflake", "select * from t where a = 'x' and b::date between '2020-01-01' and current_date"},
		{"snowflake", "select iff(a, 1, 2), object_construct(*), count(distinct a, b), listagg(distinct x, ',') within group (order by y) from t sample (10 rows)"},
		{"snowflake", "select $1:a::string, metadata$filename from @stage/x.csv.gz"},
		{"snowflake", "select parse_json(x):a::variant, x:b::array, to_varchar(d, 'YYYY-MM-DD') from t"},
		{"snowflake", "select * from t, lateral flatten(input => t.x, outer => true) f where f.value:type = 'a'"},
		{"snowflake", "select count(*) over (), sum(x) over (partition by y order by z rows between 1 preceding and 1 following) from t"},
		{"snowflake", "select * from t match_recognize (partition by a order by b pattern (x+) define x as true)"},
		{"bigquery", "select date_trunc(d, month), extract(dayofweek from d), timestamp_sub(ts, interval 1 day), format('%d', x), if(a, b, c) from `p.d.t`"},
		{"bigquery", "select (select as value 1), array_length(x), s.y.z, t.* except (a) from t left join unnest(t.arr) as y with offset pos where _table_suffix > '2020'"},
		{"bigquery", "select * from t where date(ts) = current_date('America/New_York') qualify row_number() over w = 1 window w as (partition by a order by b)"},
		{"bigquery", "select struct<a int64, b string>(1, 'x').a, [struct(1 as a)], array<struct<a int64>>[(1)]"},
		{"bigquery", "select * from t, unnest(generate_date_array('2020-01-01', current_date(), interval 1 month)) as m"},
		{"postgres", "select x::regclass, array_agg(x order by y) filter (where z) , a ~~ b, a->>'b'::int, a::text || 'x' from t"},
		{"postgres", "select * from t1 natural full outer join t2; insert into t values (1); select distinct * from t"},
		{"postgres", "select date_trunc('month', created_at)::date as month, count(*) filter (where x is null) from t group by 1 order by 1 limit 10"},
		{"postgres", "select a from t where a in (select b from u union select c from v) and exists (select 1)"},
		{"trino", "select * from unnest(array[1,2]) as t(x); select cast(json_parse(x) as map(varchar, json)), x[1], element_at(m, 'k'), try(a / b), cast(row(1, 2) as row(a int, b int)), transform(arr, x -> x + 1), date_diff('day', a, b)"},
		{"databricks", "select explode(arr) as x, named_struct('a', 1), a.b['key'], struct(a, b), from_json(j, 'a int'), x:y.z::string from t tablesample (10 percent)"},
		{"databricks", "select timestamp '2020-01-01' + interval 1 day, date_add(d, 1), collect_list(x) over (partition by y), array_contains(a, 1) from t"},
		{"mysql", "select a from t where b regexp 'x' and c like 'y' limit 1; select date_format(d, '%Y'), ifnull(a, 0), interval 1 day + x, `a`.`b` from t"},
		{"tsql", "select top (10) a, isnull(b, 0), convert(varchar(10), d, 120), cast(x as nvarchar(max)) from dbo.t with (nolock) where a <> 1 order by a offset 0 rows fetch next 10 rows only"},
		{"duckdb", "select * from read_parquet(['a.parquet', 'b.parquet']), range(10) r(i); select list_value(1, 2), struct_pack(a := 1), columns('a.*'), * like 'x%' from t"},
		{"duckdb", "select a, count(*) from t group by all order by all; select * from t positional join u; select epoch_ms(1)::timestamp, x::decimal(18,3)"},
		{"redshift", "select listagg(x, ',') within group (order by y) over (partition by z), getdate(), dateadd(day, 1, d), nvl(a, b), a::varchar(max) from t"},
		{"snowflake", "create or replace table x as (with a as (select 1) select * from a); create or replace view v copy grants as select 1"},
		{"snowflake", "select a from t where (a, b) in (select 1, 2) and c not in (1)"},
		{"snowflake", "select case when x in ('a', 'b') then 1 when y is null then 2 end::int as z from t"},
		{"snowflake", "select a - interval '1 day', -a * b, not a = b, a is not null and b > 0 or c from t"},
		{"snowflake", "select t.$1, t.$2 from (select 1, 2) t"},
		{"snowflake", "select * from a inner join b on a.x = b.x left outer join c on c.y = b.y full outer join d using(z)"},
		{"ansi", "select 1 as a\nunion all\nselect 2\n;\n\n-- trailing comment"},
		{"snowflake", "select array_construct(1,2)[0], get_path(v, 'a.b'), v['a']['b'], regexp_like(a, '^x', 'i') from t"},
		{"snowflake", "select current_timestamp::timestamp_ntz, sysdate(), current_date - 1, to_date('2020-01-01') from t"},
		{"snowflake", "select * from table(result_scan(last_query_id())); show tables; describe table t"},
		{"postgres", "select generate_series(1, 10) as n, now() - interval '1 hour', extract(epoch from now())::bigint, coalesce(x, 'y') from t"},
		{"bigquery", "select * from `proj`.dataset.table; select * from proj.dataset.`table`"},
		{"snowflake", "with a as (select 1) , b as (select 2) select * from a union all select * from b order by 1"},
		{"snowflake", "select distinct on_time, left(x, 2) as left, right(x, 1) right from t"},
		{"snowflake", `merge into db.s.t as DBT_INTERNAL_DEST using (select * from db.s.t__dbt_tmp) as DBT_INTERNAL_SOURCE on (DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id) when matched then update set "ID" = DBT_INTERNAL_SOURCE."ID", "V" = DBT_INTERNAL_SOURCE."V" when not matched then insert ("ID", "V") values (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."V")`},
		{"bigquery", "merge into `p`.`d`.`t` as DBT_INTERNAL_DEST using (select 1 as id) as DBT_INTERNAL_SOURCE on FALSE when not matched by source and DBT_INTERNAL_DEST.d = '2020-01-01' then delete when not matched then insert (`id`) values (`id`)"},
		{"postgres", `delete from "db"."s"."t" where (id) in (select (id) from "t__dbt_tmp"); insert into "db"."s"."t" ("id", "v") (select "id", "v" from "t__dbt_tmp")`},
		{"databricks", "create or replace table t using delta partitioned by (d) tblproperties ('a' = 'b') as select 1 as d"},
		{"snowflake", "create or replace dynamic table t target_lag = '1 minute' warehouse = wh as select 1 as a"},
		{"snowflake", "create or replace temporary view v as (select 1 as a)"},
		{"redshift", "create table t diststyle key distkey (a) sortkey (b) as select 1 as a, 2 as b"},
		{"duckdb", "create table t as select 1 as a; copy t to 'x.parquet' (format parquet); attach 'x.db' as x"},
	} {
		f, errs := Parse(c[1], lookup(t, c[0]))
		if len(errs) > 0 {
			t.Errorf("%s: %s\n   => %s\n   %v", c[0], c[1], ast.String(f), errs)
			continue
		}
		checkRoundTrip(t, c[1], lookup(t, c[0]))
	}
}

// TestEveryDialect parses a typical staging model in every dialect.
func TestEveryDialect(t *testing.T) {
	const model = `with source as (
    select * from raw.shop.orders -- landed by the loader
),
renamed as (
    select
        id as order_id,
        cast(user_id as integer) as customer_id,
        order_date,
        status,
        case when status in ('returned', 'return_pending') then true else false end as is_returned,
        row_number() over (partition by user_id order by order_date) as order_seq
    from source
    where id is not null
)
select * from renamed
order by order_id;
`
	for _, name := range dialect.Names() {
		d := lookup(t, name)
		f, errs := Parse(model, d)
		if len(errs) > 0 || len(f.Stmts) != 1 {
			t.Errorf("%s: %d statements, errors %v", name, len(f.Stmts), errs)
			continue
		}
		checkRoundTrip(t, model, d)
	}
}
