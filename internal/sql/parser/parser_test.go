package parser

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
)

func lookup(t testing.TB, name string) dialect.Dialect {
	t.Helper()
	d, ok := dialect.Lookup(name)
	if !ok {
		t.Fatalf("unknown dialect %q", name)
	}
	return d
}

// expectPrinted parses in, requires no errors, compares the canonical print with out, and
// checks that the canonical print parses back to itself.
func expectPrinted(t *testing.T, dialectName, in, out string) {
	t.Helper()
	d := lookup(t, dialectName)
	f, errs := Parse(in, d)
	if len(errs) > 0 {
		t.Errorf("%s: %q: unexpected errors: %v", dialectName, in, errs)
		return
	}
	got := ast.String(f)
	if got != out {
		t.Errorf("%s: %q\n got: %s\nwant: %s", dialectName, in, got, out)
		return
	}
	f2, errs := Parse(got, d)
	if len(errs) > 0 {
		t.Errorf("%s: canonical form %q does not parse: %v", dialectName, got, errs)
		return
	}
	if again := ast.String(f2); again != got {
		t.Errorf("%s: canonical form is not stable:\n first: %s\nsecond: %s", dialectName, got, again)
	}
}

// expectError parses in and requires an error whose text contains want; the tree must still
// print (no panic) and must contain keep when keep is not empty.
func expectError(t *testing.T, dialectName, in, want, keep string) {
	t.Helper()
	f, errs := Parse(in, lookup(t, dialectName))
	if len(errs) == 0 {
		t.Errorf("%s: %q: expected an error containing %q, got none; tree %s", dialectName, in, want, ast.String(f))
		return
	}
	if !strings.Contains(errs.Error(), want) {
		t.Errorf("%s: %q: error %q does not contain %q", dialectName, in, errs.Error(), want)
	}
	if got := ast.String(f); keep != "" && !strings.Contains(got, keep) {
		t.Errorf("%s: %q: tree %q lost %q", dialectName, in, got, keep)
	}
}

func TestSelectBasics(t *testing.T) {
	expectPrinted(t, "ansi", "select 1", "SELECT 1")
	expectPrinted(t, "ansi", "select a, b as c, d e from t;", "SELECT a, b AS c, d AS e FROM t")
	expectPrinted(t, "ansi", "select distinct a from t", "SELECT DISTINCT a FROM t")
	expectPrinted(t, "postgres", "select distinct on (a, b) a, c from t", "SELECT DISTINCT ON (a, b) a, c FROM t")
	expectPrinted(t, "ansi", "select all a from t", "SELECT ALL a FROM t")
	expectPrinted(t, "ansi", "select t.*, s.* from t, s", "SELECT t.*, s.* FROM t, s")
	expectPrinted(t, "ansi", `select "Quoted ""x""" from "s"."T"`, `SELECT "Quoted ""x""" FROM "s"."T"`)
	expectPrinted(t, "bigquery", "select `p.d.t`.a from `p.d.t`", "SELECT `p.d.t`.a FROM `p.d.t`")
	expectPrinted(t, "bigquery", "select a from my-project-42.dataset.tbl t, p-1x.d.u", "SELECT a FROM my-project-42.dataset.tbl AS t, p-1x.d.u")
	expectPrinted(t, "tsql", "select * into #t from ##g join dbo.x on 1 = 1", "SELECT * FROM ##g JOIN dbo.x ON 1 = 1")
	expectPrinted(t, "tsql", "select top 10 [a b] from [dbo].[t]", "SELECT TOP 10 [a b] FROM [dbo].[t]")
	expectPrinted(t, "snowflake", "select top 5 a from t", "SELECT TOP 5 a FROM t")
	expectPrinted(t, "ansi", "select a from t where b order by a desc nulls last, b asc limit 10 offset 5", "SELECT a FROM t WHERE b ORDER BY a DESC NULLS LAST, b ASC LIMIT 10 OFFSET 5")
	expectPrinted(t, "ansi", "select a from t offset 5 rows fetch first 10 rows only", "SELECT a FROM t OFFSET 5 ROWS FETCH FIRST 10 ROWS ONLY")
	expectPrinted(t, "ansi", "select a from t fetch next 3 rows with ties", "SELECT a FROM t FETCH FIRST 3 ROWS WITH TIES")
	expectPrinted(t, "mysql", "select a from t limit 5, 10", "SELECT a FROM t LIMIT 5, 10")
	expectPrinted(t, "databricks", "select a from t distribute by a sort by b desc limit 3", "SELECT a FROM t DISTRIBUTE BY a SORT BY b DESC LIMIT 3")
	expectPrinted(t, "databricks", "select a from t cluster by a, b", "SELECT a FROM t CLUSTER BY a, b")
	expectPrinted(t, "snowflake", "select a from t distribute, u sort", "SELECT a FROM t AS distribute, u AS sort")
	expectPrinted(t, "duckdb", "select a, b, from t", "SELECT a, b FROM t")
	expectPrinted(t, "bigquery", "select as struct 1 as a", "SELECT AS STRUCT 1 AS a")
	expectPrinted(t, "duckdb", "from t", "SELECT * FROM t")
	expectPrinted(t, "duckdb", "select a from t where b using sample 10% (bernoulli) order by a", "SELECT a FROM t WHERE b ORDER BY a")
	expectPrinted(t, "duckdb", "from t select a where b", "SELECT a FROM t WHERE b")
	expectPrinted(t, "mysql", "select a as 'x' from t", `SELECT a AS 'x' FROM t`)
}

func TestContextualKeywords(t *testing.T) {
	expectPrinted(t, "ansi", "select date, timestamp, value, type, name, left, right, year, comment, key from t",
		"SELECT date, timestamp, value, type, name, left, right, year, comment, key FROM t")
	expectPrinted(t, "ansi", "select t.date, t.left from t where date > '2024-01-01' and type = 'x'",
		"SELECT t.date, t.left FROM t WHERE date > '2024-01-01' AND type = 'x'")
	expectPrinted(t, "ansi", "select left(a, 2), right(a, 1), date(ts) from t", "SELECT left(a, 2), right(a, 1), date(ts) FROM t")
	expectPrinted(t, "ansi", "select date '2024-01-01', timestamp '2024-01-01 00:00'", "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00'")
	expectPrinted(t, "ansi", "select a value, b name from t", "SELECT a AS value, b AS name FROM t")
	expectPrinted(t, "ansi", "select all from t", "SELECT all FROM t")
	expectPrinted(t, "ansi", "select count(*) as count, max(x) max from t", "SELECT count(*) AS count, max(x) AS max FROM t")
	expectPrinted(t, "ansi", "select interval from t", "SELECT interval FROM t")
	expectPrinted(t, "snowflake", "select a start, b connect, c at, d partition, e nulls, f global from t sample, u at", "SELECT a AS start, b AS connect, c AS at, d AS partition, e AS nulls, f AS global FROM t AS sample, u AS at")
}

func TestWith(t *testing.T) {
	expectPrinted(t, "ansi", "with a as (select 1), b (x, y) as (select 2, 3) select * from a, b", "WITH a AS (SELECT 1), b (x, y) AS (SELECT 2, 3) SELECT * FROM a, b")
	expectPrinted(t, "postgres", "with recursive r as (select 1 union all select n + 1 from r where n < 10) select * from r", "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r")
	expectPrinted(t, "postgres", "with a as materialized (select 1), b as not materialized (select 2) select 1", "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT 1")
}

func TestStarModifiers(t *testing.T) {
	expectPrinted(t, "snowflake", "select * exclude (a, b) rename (c as d) from t", "SELECT * EXCLUDE (a, b) RENAME (c AS d) FROM t")
	expectPrinted(t, "snowflake", "select t.* exclude a from t", "SELECT t.* EXCLUDE (a) FROM t")
	expectPrinted(t, "snowflake", "select * rename a as b from t", "SELECT * RENAME (a AS b) FROM t")
	expectPrinted(t, "snowflake", "select * ilike '%id' from t", "SELECT * ILIKE '%id' FROM t")
	expectPrinted(t, "bigquery", "select * except (a) replace (upper(b) as b) from t", "SELECT * EXCEPT (a) REPLACE (upper(b) AS b) FROM t")
	expectPrinted(t, "duckdb", "select * exclude (t.a) replace (b + 1 as b) from t", "SELECT * EXCLUDE (a) REPLACE (b + 1 AS b) FROM t")
	expectPrinted(t, "bigquery", "select s.* from (select struct(1 as a) s)", "SELECT s.* FROM (SELECT STRUCT(1 AS a) AS s)")
	expectPrinted(t, "bigquery", "select (select as struct 1 a).*", "SELECT (SELECT AS STRUCT 1 AS a).*")
}

func TestPrecedence(t *testing.T) {
	expectPrinted(t, "ansi", "select a or b and not c = d", "SELECT a OR b AND NOT c = d")
	expectPrinted(t, "ansi", "select (a or b) and c", "SELECT (a OR b) AND c")
	expectPrinted(t, "ansi", "select 1 + 2 * 3 - -4 / 2 % 3", "SELECT 1 + 2 * 3 - -4 / 2 % 3")
	expectPrinted(t, "ansi", "select - -a, -(-a), - + a", "SELECT - -a, -(-a), - +a")
	expectPrinted(t, "ansi", "select a || b || 'c' = d", "SELECT a || b || 'c' = d")
	expectPrinted(t, "postgres", "select j->'a'->>'b', j #>> '{a}', j @> k", "SELECT j -> 'a' ->> 'b', j #>> '{a}', j @> k")
	// `?` after an operand is jsonb key-exists, not a parameter; before one it stays a parameter.
	expectPrinted(t, "postgres", "select a from t where j ? 'k' and j ?| array['a'] and j ?& array['b'] and j->'x' ? 'y' = true", "SELECT a FROM t WHERE j ? 'k' AND j ?| ARRAY['a'] AND j ?& ARRAY['b'] AND j -> 'x' ? 'y' = TRUE")
	expectPrinted(t, "postgres", "select a = ? and j ? ?", "SELECT a = ? AND j ? ?")
	expectPrinted(t, "ansi", "select not exists (select 1) and a is not null", "SELECT NOT EXISTS (SELECT 1) AND a IS NOT NULL")
	expectPrinted(t, "ansi", "select a between 1 and 2 and b not between c and d", "SELECT a BETWEEN 1 AND 2 AND b NOT BETWEEN c AND d")
	expectPrinted(t, "ansi", "select a is distinct from b, a is not distinct from b", "SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b")
	expectPrinted(t, "ansi", "select a is true, b is not false, c isnull, d notnull", "SELECT a IS TRUE, b IS NOT FALSE, c IS NULL, d IS NOT NULL")
	expectPrinted(t, "mysql", "select a div 2, a mod 3, a <=> b, a xor b", "SELECT a DIV 2, a MOD 3, a <=> b, a XOR b")
	expectPrinted(t, "duckdb", "select 2 ** 3, 7 // 2, a ^ 2", "SELECT 2 ** 3, 7 // 2, a ^ 2")
	expectPrinted(t, "ansi", "select a = any (select b from t), a > all (array[1])", "SELECT a = ANY (SELECT b FROM t), a > ALL (ARRAY[1])")
}

func TestPredicates(t *testing.T) {
	expectPrinted(t, "ansi", "select a in (1, 2), b not in (select x from t)", "SELECT a IN (1, 2), b NOT IN (SELECT x FROM t)")
	expectPrinted(t, "bigquery", "select 1 from t where a in unnest(@list)", "SELECT 1 FROM t WHERE a IN unnest(@list)")
	expectPrinted(t, "snowflake", "select a like 'x%', b not ilike 'y', c rlike '^z', d like any ('a%', 'b%')", "SELECT a LIKE 'x%', b NOT ILIKE 'y', c RLIKE '^z', d LIKE ANY ('a%', 'b%')")
	expectPrinted(t, "postgres", "select a similar to 'x', b not similar to 'y' escape '!'", "SELECT a SIMILAR TO 'x', b NOT SIMILAR TO 'y' ESCAPE '!'")
	expectPrinted(t, "mysql", "select a regexp 'x', b not regexp 'y'", "SELECT a REGEXP 'x', b NOT REGEXP 'y'")
	expectPrinted(t, "ansi", "select exists (select 1 from t)", "SELECT EXISTS (SELECT 1 FROM t)")
	expectPrinted(t, "ansi", "select ((select 1) + 1), ((select 1) union (select 2)), ((select 3))", "SELECT ((SELECT 1) + 1), ((SELECT 1) UNION (SELECT 2)), ((SELECT 3))")
}

func TestCaseCast(t *testing.T) {
	expectPrinted(t, "ansi", "select case when a = 1 then 'x' when a = 2 then 'y' else 'z' end", "SELECT CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' ELSE 'z' END")
	expectPrinted(t, "ansi", "select case a when 1 then 2 end as b", "SELECT CASE a WHEN 1 THEN 2 END AS b")
	expectPrinted(t, "ansi", "select cast(a as varchar(10)), cast(b as double precision), cast(c as timestamp with time zone)", "SELECT CAST(a AS VARCHAR(10)), CAST(b AS DOUBLE PRECISION), CAST(c AS TIMESTAMP WITH TIME ZONE)")
	expectPrinted(t, "snowflake", "select try_cast(a as number(38, 0)), a::int, b::varchar::date, c::timestamp_ntz(9)", "SELECT TRY_CAST(a AS NUMBER(38, 0)), a::INT, b::VARCHAR::DATE, c::TIMESTAMP_NTZ(9)")
	expectPrinted(t, "bigquery", "select safe_cast(a as int64), cast(b as array<struct<x int64, y string>>), cast(c as string format 'YYYY')", "SELECT SAFE_CAST(a AS INT64), CAST(b AS ARRAY<STRUCT<x INT64, y STRING>>), CAST(c AS STRING FORMAT 'YYYY')")
	expectPrinted(t, "postgres", "select a::int[], b::numeric(10,2)[], c::character varying", "SELECT a::INT[], b::NUMERIC(10, 2)[], c::CHARACTER VARYING")
	expectPrinted(t, "duckdb", "select a::struct(x int, y varchar), b::map(varchar, int), c::int[]", "SELECT a::STRUCT(x INT, y VARCHAR), b::MAP(VARCHAR, INT), c::INT[]")
	expectPrinted(t, "databricks", "select cast(a as map<string, array<int>>), cast(b as struct<x: int>)", "SELECT CAST(a AS MAP<STRING, ARRAY<INT>>), CAST(b AS STRUCT<x INT>)")
	expectPrinted(t, "ansi", "select -a::int", "SELECT -a::INT")
	expectPrinted(t, "snowflake", "select 1 from t where a::date < '2025-05-05' and b::int > 2", "SELECT 1 FROM t WHERE a::DATE < '2025-05-05' AND b::INT > 2")
}

func TestFunctions(t *testing.T) {
	expectPrinted(t, "ansi", "select count(distinct a), sum(all b), f(), s.f(x)", "SELECT count(DISTINCT a), sum(ALL b), f(), s.f(x)")
	expectPrinted(t, "ansi", "select count(*) filter (where a > 1) from t", "SELECT count(*) FILTER (WHERE a > 1) FROM t")
	expectPrinted(t, "snowflake", "select listagg(a, ',') within group (order by b desc) from t", "SELECT listagg(a, ',') WITHIN GROUP (ORDER BY b DESC) FROM t")
	expectPrinted(t, "postgres", "select string_agg(a, ',' order by b), array_agg(distinct c order by c) from t", "SELECT string_agg(a, ',' ORDER BY b), array_agg(DISTINCT c ORDER BY c) FROM t")
	expectPrinted(t, "bigquery", "select array_agg(a ignore nulls order by b limit 10) from t", "SELECT array_agg(a IGNORE NULLS ORDER BY b LIMIT 10) FROM t")
	expectPrinted(t, "snowflake", "select first_value(a) ignore nulls over (order by b) from t", "SELECT first_value(a) IGNORE NULLS OVER (ORDER BY b) FROM t")
	expectPrinted(t, "snowflake", "select flatten(input => v, outer => true)", "SELECT flatten(input => v, outer => TRUE)")
	expectPrinted(t, "ansi", "select current_date, current_timestamp, current_timestamp(), localtimestamp", "SELECT current_date, current_timestamp, current_timestamp(), localtimestamp")
	expectPrinted(t, "ansi", "select extract(year from a), extract(epoch from b)", "SELECT EXTRACT(YEAR FROM a), EXTRACT(EPOCH FROM b)")
	expectPrinted(t, "ansi", "select substring(a from 1 for 2), trim(both ' ' from b), trim(leading from c), position('x' in d)", "SELECT substring(a FROM 1 FOR 2), trim(BOTH ' ' FROM b), trim(LEADING FROM c), position('x' IN d)")
	expectPrinted(t, "snowflake", "select dateadd(day, -1, current_date()), datediff('day', a, b)", "SELECT dateadd(day, -1, current_date()), datediff('day', a, b)")
	expectPrinted(t, "duckdb", "select list_transform(l, x -> x + 1), list_filter(l, (x, i) -> x > i), list_reduce(l, lambda a, b: a + b)", "SELECT list_transform(l, x -> x + 1), list_filter(l, (x, i) -> x > i), list_reduce(l, LAMBDA a, b: a + b)")
	expectPrinted(t, "databricks", "select transform(arr, x -> x * 2), filter(arr, e -> e is not null)", "SELECT transform(arr, x -> x * 2), filter(arr, e -> e IS NOT NULL)")
	expectPrinted(t, "duckdb", "select json_extract(j->'a', '$.b')", "SELECT json_extract(j -> 'a', '$.b')")
	expectPrinted(t, "mysql", "select group_concat(a order by b separator ',')", "SELECT group_concat(a ORDER BY b SEPARATOR ',')")
	// BigQuery's HAVING MAX|MIN comes after the nulls clause and before ORDER BY and LIMIT.
	expectPrinted(t, "bigquery", "select any_value(name having max ts) as latest, any_value(x having min (a + b)) over (partition by k) from t group by k",
		"SELECT any_value(name HAVING MAX ts) AS latest, any_value(x HAVING MIN (a + b)) OVER (PARTITION BY k) FROM t GROUP BY k")
	expectPrinted(t, "bigquery", "select array_agg(a ignore nulls having max b order by c limit 2) from t",
		"SELECT array_agg(a IGNORE NULLS HAVING MAX b ORDER BY c LIMIT 2) FROM t")
	expectPrinted(t, "bigquery", "select any_value(a having max b) from t group by k having max(b) > 1", "SELECT any_value(a HAVING MAX b) FROM t GROUP BY k HAVING max(b) > 1")
}

func TestWindows(t *testing.T) {
	expectPrinted(t, "ansi", "select row_number() over (partition by a, b order by c desc) from t", "SELECT row_number() OVER (PARTITION BY a, b ORDER BY c DESC) FROM t")
	expectPrinted(t, "ansi", "select sum(a) over (order by b rows between unbounded preceding and current row)", "SELECT sum(a) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
	expectPrinted(t, "ansi", "select sum(a) over (order by b range between interval '1 day' preceding and 2 following exclude ties)", "SELECT sum(a) OVER (ORDER BY b RANGE BETWEEN INTERVAL '1 day' PRECEDING AND 2 FOLLOWING EXCLUDE TIES)")
	expectPrinted(t, "ansi", "select sum(a) over (rows 3 preceding)", "SELECT sum(a) OVER (ROWS 3 PRECEDING)")
	expectPrinted(t, "ansi", "select sum(a) over w, avg(b) over (w order by c) from t window w as (partition by d)", "SELECT sum(a) OVER w, avg(b) OVER (w ORDER BY c) FROM t WINDOW w AS (PARTITION BY d)")
	expectPrinted(t, "snowflake", "select a from t qualify row_number() over (partition by a order by b) = 1", "SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1")
	expectPrinted(t, "duckdb", "select a from t window w as (order by a) qualify rank() over w = 1", "SELECT a FROM t WINDOW w AS (ORDER BY a) QUALIFY rank() OVER w = 1")
}

func TestGroupBy(t *testing.T) {
	expectPrinted(t, "snowflake", "select a, sum(b) from t group by all", "SELECT a, sum(b) FROM t GROUP BY ALL")
	expectPrinted(t, "ansi", "select a from t group by rollup (a, b), cube (c), grouping sets ((a, b), (c), ())", "SELECT a FROM t GROUP BY ROLLUP (a, b), CUBE (c), GROUPING SETS ((a, b), c, ())")
	expectPrinted(t, "ansi", "select a from t group by a having count(*) > 1", "SELECT a FROM t GROUP BY a HAVING count(*) > 1")
	expectPrinted(t, "snowflake", "select id, prior id from t start with parent is null connect by prior id = parent", "SELECT id, PRIOR id FROM t START WITH parent IS NULL CONNECT BY PRIOR id = parent")
	expectPrinted(t, "mysql", "select a from t group by a with rollup", "SELECT a FROM t GROUP BY a WITH ROLLUP")
	expectPrinted(t, "ansi", "select all_col from t group by all_col + 1", "SELECT all_col FROM t GROUP BY all_col + 1")
}

func TestSetOps(t *testing.T) {
	expectPrinted(t, "ansi", "select 1 union select 2 union all select 3", "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3")
	expectPrinted(t, "ansi", "select 1 union select 2 intersect select 3", "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3")
	expectPrinted(t, "bigquery", "select 1 union distinct select 2 except distinct select 3", "SELECT 1 UNION DISTINCT SELECT 2 EXCEPT DISTINCT SELECT 3")
	expectPrinted(t, "duckdb", "select 1 as a union all by name select 2 as a", "SELECT 1 AS a UNION ALL BY NAME SELECT 2 AS a")
	// BigQuery's matches by name: a mode before the operator, a column list after it.
	expectPrinted(t, "bigquery", "select a from t full union all corresponding select b from s", "SELECT a FROM t FULL UNION ALL CORRESPONDING SELECT b FROM s")
	expectPrinted(t, "bigquery", "select a from t left outer union distinct by name on (a, b) select b from s", "SELECT a FROM t LEFT UNION DISTINCT BY NAME ON (a, b) SELECT b FROM s")
	expectPrinted(t, "bigquery", "select * from t inner intersect all corresponding by (a) select * from s", "SELECT * FROM t INNER INTERSECT ALL CORRESPONDING BY (a) SELECT * FROM s")
	expectPrinted(t, "bigquery", "select * from t left join s using (a) union all select * from u", "SELECT * FROM t LEFT JOIN s USING (a) UNION ALL SELECT * FROM u")
	expectPrinted(t, "snowflake", "select a from t minus select a from s", "SELECT a FROM t MINUS SELECT a FROM s")
	expectPrinted(t, "ansi", "(select 1 order by 1 limit 1) union (select 2) order by 1", "(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2) ORDER BY 1")
	expectPrinted(t, "ansi", "values (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')")
	expectPrinted(t, "ansi", "select * from (values (1, 2)) as v (a, b)", "SELECT * FROM (VALUES (1, 2)) AS v(a, b)")
	expectPrinted(t, "snowflake", "select a from (values (1, 2) as v (a, b))", "SELECT a FROM (VALUES (1, 2)) AS v(a, b)")
}

func TestJoins(t *testing.T) {
	expectPrinted(t, "ansi", "select * from a join b on a.id = b.id inner join c using (id) left join d on true left outer join e on 1 = 1", "SELECT * FROM a JOIN b ON a.id = b.id INNER JOIN c USING (id) LEFT JOIN d ON TRUE LEFT OUTER JOIN e ON 1 = 1")
	expectPrinted(t, "ansi", "select * from a right join b on x full outer join c on y full join d on z cross join e natural join f", "SELECT * FROM a RIGHT JOIN b ON x FULL OUTER JOIN c ON y FULL JOIN d ON z CROSS JOIN e NATURAL JOIN f")
	expectPrinted(t, "duckdb", "select * from a asof join b on a.t >= b.t asof left join c using (k, t)", "SELECT * FROM a ASOF JOIN b ON a.t >= b.t ASOF LEFT JOIN c USING (k, t)")
	expectPrinted(t, "snowflake", "select * from t asof join p match_condition (t.ts >= p.hour) on t.k = p.k asof join q x match_condition(t.ts<=x.ts)",
		"SELECT * FROM t ASOF JOIN p MATCH_CONDITION (t.ts >= p.hour) ON t.k = p.k ASOF JOIN q AS x MATCH_CONDITION (t.ts <= x.ts)")
	expectPrinted(t, "snowflake", "select * from a left join b using (a.d)", "SELECT * FROM a LEFT JOIN b USING (d)")
	expectPrinted(t, "snowflake", "select a.x from a, b where a.k = b.k(+) and b.j (+) = 1", "SELECT a.x FROM a, b WHERE a.k = b.k (+) AND b.j (+) = 1")
	expectPrinted(t, "duckdb", "select * from a semi join b using (id) anti join c using (id) positional join d", "SELECT * FROM a SEMI JOIN b USING (id) ANTI JOIN c USING (id) POSITIONAL JOIN d")
	expectPrinted(t, "databricks", "select * from a left semi join b on x left anti join c on y", "SELECT * FROM a LEFT SEMI JOIN b ON x LEFT ANTI JOIN c ON y")
	expectPrinted(t, "tsql", "select * from a cross apply f(a.x) as g outer apply (select 1 as y) as h", "SELECT * FROM a CROSS APPLY f(a.x) AS g OUTER APPLY (SELECT 1 AS y) AS h")
	expectPrinted(t, "postgres", "select * from a, lateral (select * from b where b.x = a.x) s join lateral f(a.y) g on true", "SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.x = a.x) AS s JOIN LATERAL f(a.y) AS g ON TRUE")
	expectPrinted(t, "ansi", "select * from (a join b on x) join c on y", "SELECT * FROM (a JOIN b ON x) JOIN c ON y")
	expectPrinted(t, "ansi", "select * from ((select 1) union (select 2)) u, ((select 3) as v join w on true)", "SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u, ((SELECT 3) AS v JOIN w ON TRUE)")
	expectPrinted(t, "ansi", "select * from t as x (a, b), s y", "SELECT * FROM t AS x(a, b), s AS y")
}

func TestTableFunctions(t *testing.T) {
	expectPrinted(t, "snowflake", "select f.value:id::string from t, lateral flatten(input => t.v:items) f", "SELECT f.value:id::STRING FROM t, LATERAL flatten(input => t.v:items) AS f")
	expectPrinted(t, "snowflake", "select seq4() from table(generator(rowcount => 10))", "SELECT seq4() FROM TABLE(generator(rowcount => 10))")
	expectPrinted(t, "snowflake", "select * from table(flatten(input => parse_json('[1]'))) f", "SELECT * FROM TABLE(flatten(input => parse_json('[1]'))) AS f")
	expectPrinted(t, "bigquery", "select x, off from unnest([1, 2]) as x with offset as off", "SELECT x, off FROM unnest([1, 2]) AS x WITH OFFSET AS off")
	expectPrinted(t, "bigquery", "select * from t cross join unnest(t.arr) a", "SELECT * FROM t CROSS JOIN unnest(t.arr) AS a")
	expectPrinted(t, "postgres", "select * from unnest(array[1, 2]) with ordinality as u (x, n)", "SELECT * FROM unnest(ARRAY[1, 2]) WITH ORDINALITY AS u(x, n)")
	expectPrinted(t, "databricks", "select c from t lateral view explode(t.arr) e as c", "SELECT c FROM t LATERAL VIEW explode(t.arr) e AS c")
	expectPrinted(t, "databricks", "select k, v from t lateral view outer posexplode(m) e as k, v", "SELECT k, v FROM t LATERAL VIEW OUTER posexplode(m) e AS k, v")
	expectPrinted(t, "duckdb", "select * from read_csv('x.csv', header = true)", "SELECT * FROM read_csv('x.csv', header = TRUE)")
	expectPrinted(t, "duckdb", "select * from 'data/*.parquet'", `SELECT * FROM 'data/*.parquet'`)
	expectPrinted(t, "snowflake", "select $1, $2 from @my_stage/path/ (file_format => 'csv')", "SELECT $1, $2 FROM @my_stage/path/ ( file_format => 'csv' )")
	expectPrinted(t, "snowflake", "select * from t at(timestamp => '2024-01-01'::timestamp) as x", "SELECT * FROM t at ( timestamp => '2024-01-01' :: timestamp ) AS x")
	expectPrinted(t, "bigquery", "select * from t for system_time as of current_timestamp() s", "SELECT * FROM t for system_time as of current_timestamp ( ) AS s")
	expectPrinted(t, "postgres", "select * from t tablesample bernoulli (10) s", "SELECT * FROM t tablesample bernoulli ( 10 ) AS s")
}

func TestPivot(t *testing.T) {
	expectPrinted(t, "snowflake", "select * from t pivot (sum(amount) for month in ('jan', 'feb')) as p", "SELECT * FROM t PIVOT (sum(amount) FOR month IN ('jan', 'feb')) AS p")
	expectPrinted(t, "bigquery", "select * from t pivot (sum(a) as s, count(*) c for q in ('Q1' as q1, 'Q2'))", "SELECT * FROM t PIVOT (sum(a) AS s, count(*) AS c FOR q IN ('Q1' AS q1, 'Q2'))")
	expectPrinted(t, "snowflake", "select * from t pivot (sum(a) for b in (any order by b))", "SELECT * FROM t PIVOT (sum(a) FOR b IN (ANY))")
	expectPrinted(t, "snowflake", "select * from t unpivot (val for col in (a, b, c)) u", "SELECT * FROM t UNPIVOT (val FOR col IN (a, b, c)) AS u")
	expectPrinted(t, "bigquery", "select * from t unpivot include nulls ((x, y) for k in ((a, b) as 'ab', (c, d) as 'cd'))", "SELECT * FROM t UNPIVOT INCLUDE NULLS ((x, y) FOR k IN ((a, b) AS 'ab', (c, d) AS 'cd'))")
}

func TestLiterals(t *testing.T) {
	expectPrinted(t, "ansi", "select 1, 1.5, .5, 1e-3, 'it''s', null, true, false", "SELECT 1, 1.5, .5, 1e-3, 'it''s', NULL, TRUE, FALSE")
	expectPrinted(t, "postgres", "select E'a\\n', $$x$$, $t$y$t$, B'01', X'1f'", "SELECT E'a\\n', $$x$$, $t$y$t$, B'01', X'1f'")
	expectPrinted(t, "bigquery", `select "s", r'\d', b'x', '''t'''`, `SELECT "s", r'\d', b'x', '''t'''`)
	// Adjacent strings join into one; where a backslash escapes, quotes inside are escaped
	// with it, so that a leading quote cannot read back as a triple-quoted string.
	expectPrinted(t, "postgres", "select 'it''s' ' ok'", "SELECT 'it''s ok'")
	expectPrinted(t, "bigquery", `select '''''' '''\'0'''`, `SELECT '\'0'`)
	expectPrinted(t, "mysql", `select 'a\'b' 'it''s'`, `SELECT 'a\'bit\'s'`)
	// A name after the dot that starts with a digit cannot follow a number, even spaced.
	expectPrinted(t, "databricks", "select 0 . 0a, a.0a, * . 0a", "SELECT (0).0a, a.0a, (*).0a")
	// A field of a `::` cast keeps the cast in parentheses: `0::t.a` is a cast to the type t.a.
	expectPrinted(t, "snowflake", "select (0::t).a", "SELECT (0::T).a")
	// T-SQL reads `a = 0 AS a` as an assignment alias, so the comparison keeps parentheses.
	expectPrinted(t, "tsql", "select a = a = 0", "SELECT (a = 0) AS a")
	expectPrinted(t, "ansi", "select interval '1 day', interval '2' hour, interval '1-2' year to month", "SELECT INTERVAL '1 day', INTERVAL '2' HOUR, INTERVAL '1-2' YEAR TO MONTH")
	expectPrinted(t, "bigquery", "select date_add(d, interval 1 day), interval x minute", "SELECT date_add(d, INTERVAL 1 DAY), INTERVAL x MINUTE")
	expectPrinted(t, "duckdb", "select [1, 2, 3], {'a': 1, 'b': [2]}, map {'k': 'v'}, array[1][1], l[1:2], l[:2]", "SELECT [1, 2, 3], {'a': 1, 'b': [2]}, MAP {'k': 'v'}, ARRAY[1][1], l[1:2], l[:2]")
	expectPrinted(t, "duckdb", "select {a: 1}.a, (s).b, s.x.y", "SELECT {a: 1}.a, (s).b, s.x.y")
	expectPrinted(t, "bigquery", "select struct(1 as a, 'x' as b), struct<a int64>(1), array<string>['a'], arr[offset(0)], arr[safe_ordinal(1)]", "SELECT STRUCT(1 AS a, 'x' AS b), STRUCT<a INT64>(1), ARRAY<STRING>['a'], arr[offset(0)], arr[safe_ordinal(1)]")
	expectPrinted(t, "bigquery", "select array(select x from unnest(a) x)", "SELECT ARRAY(SELECT x FROM unnest(a) AS x)")
	expectPrinted(t, "postgres", "select row(1, 2), (1, 2)", "SELECT ROW(1, 2), (1, 2)")
	expectPrinted(t, "postgres", "select $1, ? , :name, a = :v", "SELECT $1, ?, :name, a = :v")
	expectPrinted(t, "bigquery", "select @p", "SELECT @p")
	expectPrinted(t, "bigquery", "select struct('a'\n -- continued\n 'b''s', 'c') as s", "SELECT STRUCT('ab\\'s', 'c') AS s")
	expectPrinted(t, "ansi", "select a collate \"C\", ts at time zone 'UTC'", "SELECT a COLLATE \"C\", ts AT TIME ZONE 'UTC'")
}

func TestSnowflakePaths(t *testing.T) {
	expectPrinted(t, "snowflake", "select v:a, v:a.b, v:a.b::string, v:\"A b\"[0].c, v['k'], t.v:x:y", "SELECT v:a, v:a.b, v:a.b::STRING, v:\"A b\"[0].c, v['k'], t.v:x:y")
	expectPrinted(t, "snowflake", "select value:id::int as id from t", "SELECT value:id::INT AS id FROM t")
	expectPrinted(t, "databricks", "select raw:store.bicycle.price::double", "SELECT raw:store.bicycle.price::DOUBLE")
	expectPrinted(t, "snowflake", "select {'a': b}, object_construct('a', 1)", "SELECT {'a': b}, object_construct('a', 1)")
	expectPrinted(t, "snowflake", "select case when x then :p end", "SELECT CASE WHEN x THEN :p END")
	// Snowflake reads blanks on either side of a path's colon.
	expectPrinted(t, "snowflake", "select data :header: shard_id :: int as s, data : header : \"H t\" [0] from t", "SELECT data:header:shard_id::INT AS s, data:header:\"H t\"[0] FROM t")
	expectPrinted(t, "snowflake", "select {'a' : b, 'c': d:e}", "SELECT {'a': b, 'c': d:e}")
}

func TestTemplates(t *testing.T) {
	expectPrinted(t, "snowflake", "select {{ col }} as a, b from {{ ref('x') }} where c = {{ var('v') }}", "SELECT {{ col }} AS a, b FROM {{ ref('x') }} WHERE c = {{ var('v') }}")
	expectPrinted(t, "snowflake", "{{ config(materialized='table') }}\nselect a {# comment #} from t {% if is_incremental() %} where b > 1 {% endif %}", "SELECT a FROM t WHERE b > 1")
	expectPrinted(t, "snowflake", "select a from {{ target.schema }}.tbl t", "SELECT a FROM {{ target.schema }}.tbl AS t")
	expectPrinted(t, "snowflake", "select cast(a as {{ dbt.type_string() }}), row_number() over (partition by b {{ extra() }} order by c) from t {{ where() }} group by 1", "SELECT CAST(a AS {{ dbt.type_string() }}), row_number() OVER (PARTITION BY b ORDER BY c) FROM t GROUP BY 1")
	expectPrinted(t, "snowflake", "select a from t where d >= '{{ var('start') }}'", "SELECT a FROM t WHERE d >= '{{ var('start') }}'")
	expectPrinted(t, "snowflake", "with a as ({{ macro('x') }}), b as (select 1) select * from a", "WITH a AS ({{ macro('x') }}), b AS (SELECT 1) SELECT * FROM a")
	expectPrinted(t, "snowflake", "select a from {{ ref('x') }} as t join {{ source('s', 'y') }} u on t.id = u.id", "SELECT a FROM {{ ref('x') }} AS t JOIN {{ source('s', 'y') }} AS u ON t.id = u.id")
}

func TestStatements(t *testing.T) {
	expectPrinted(t, "ansi", "select 1; select 2;", "SELECT 1; SELECT 2")
	expectPrinted(t, "snowflake", "create or replace transient table db.s.t as select 1 as a", "CREATE OR REPLACE TRANSIENT TABLE db.s.t AS SELECT 1 AS a")
	expectPrinted(t, "postgres", "create table if not exists t (id int primary key, name varchar(10) not null, primary key (id))", "CREATE TABLE IF NOT EXISTS t (id INT primary key, name VARCHAR(10) not null, primary key ( id ))")
	expectPrinted(t, "snowflake", "create or replace view v (a, b comment 'x') as select 1, 2", "CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2")
	expectPrinted(t, "postgres", "create materialized view m as (select 1)", "CREATE MATERIALIZED VIEW m AS (SELECT 1)")
	expectPrinted(t, "bigquery", "create table t cluster by a options(x = 1) as select 1", "CREATE TABLE t cluster by a options ( x = 1 ) AS SELECT 1")
	expectPrinted(t, "postgres", "insert into t (a, b) values (1, 'x'), (2, default) on conflict (a) do nothing", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, default) on conflict ( a ) do nothing")
	expectPrinted(t, "snowflake", "insert into t select * from s", "INSERT INTO t SELECT * FROM s")
	expectPrinted(t, "databricks", "insert overwrite table t partition (d = '1') select 1", "INSERT OVERWRITE t SELECT 1")
	expectPrinted(t, "postgres", "update t set a = 1, b = s.b from s where t.id = s.id", "UPDATE t SET a = 1, b = s.b FROM s WHERE t.id = s.id")
	expectPrinted(t, "postgres", "delete from t using s where t.id = s.id", "DELETE FROM t USING s WHERE t.id = s.id")
	expectPrinted(t, "snowflake", "merge into t using s on t.id = s.id when matched and s.d then delete when matched then update set a = s.a when not matched then insert (id, a) values (s.id, s.a)",
		"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.d THEN DELETE WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id, a) VALUES (s.id, s.a)")
	expectPrinted(t, "bigquery", "merge t using s on false when not matched by source then delete when not matched by target then insert row", "MERGE INTO t USING s ON FALSE WHEN NOT MATCHED BY SOURCE THEN DELETE WHEN NOT MATCHED BY TARGET THEN INSERT *")
	expectPrinted(t, "snowflake", "grant select on all tables in schema s to role r", "grant select on all tables in schema s to role r")
	expectPrinted(t, "snowflake", "alter table t add column c int; use warehouse w", "alter table t add column c int; use warehouse w")
	expectPrinted(t, "snowflake", "begin; select 1; commit;", "begin; SELECT 1; commit")
}

func TestDialectQuotes(t *testing.T) {
	expectPrinted(t, "mysql", "select `a` from `t` where b = \"x\"", "SELECT `a` FROM `t` WHERE b = \"x\"")
	expectPrinted(t, "databricks", "select `a b` from t where c = \"x\"", "SELECT `a b` FROM t WHERE c = \"x\"")
	expectPrinted(t, "sqlite", "select [a] from [t]", "SELECT [a] FROM [t]")
	expectPrinted(t, "tsql", "select total = sum(x), [n] = count(*) from t", "SELECT sum(x) AS total, count(*) AS [n] FROM t")
	// Spark: a CTE without AS, names that begin with digits.
	expectPrinted(t, "databricks", "with base (select id, 1688_name from t) select id, 1688_name as 30d_count, 10L as n from base",
		"WITH base AS (SELECT id, 1688_name FROM t) SELECT id, 1688_name AS 30d_count, 10L AS n FROM base")
	expectPrinted(t, "databricks", "select order.id, order.name as nm from t as order", "SELECT order.id, order.name AS nm FROM t AS order")
	expectPrinted(t, "databricks", "select id, posexplode(arr) as (pos, val) from t", "SELECT id, posexplode(arr) AS (pos, val) FROM t")
	// Spark reserves `group` only before BY: elsewhere it names a column or an alias.
	expectPrinted(t, "databricks", "select id, group, min(ts) as ts from t group by id, group", "SELECT id, group, min(ts) AS ts FROM t GROUP BY id, group")
	expectPrinted(t, "databricks", "select group from t where group > 1 group by group order by group",
		"SELECT group FROM t WHERE group > 1 GROUP BY group ORDER BY group")
	expectPrinted(t, "databricks", "select a.group, b group, c as group from t as a group by 1, 2 having count(*) > 1",
		"SELECT a.group, b AS group, c AS group FROM t AS a GROUP BY 1, 2 HAVING count(*) > 1")
	expectPrinted(t, "databricks", "select count(*) group by 1", "SELECT count(*) GROUP BY 1")
	expectError(t, "postgres", "select id, group from t", "found \"group\"", "")
	// FOR XML/JSON and OPTION (...) end a query; neither is a table alias.
	expectPrinted(t, "tsql", "select a, (select b + ',' from t2 for xml path(''), type) as s from t option (maxrecursion 0)",
		"SELECT a, (SELECT b + ',' FROM t2) AS s FROM t")
	expectPrinted(t, "tsql", "select a from t for json path, without_array_wrapper", "SELECT a FROM t")
	expectPrinted(t, "trino", "select \"a\" from t cross join unnest(arr) as u (x)", "SELECT \"a\" FROM t CROSS JOIN unnest(arr) AS u(x)")
	expectPrinted(t, "redshift", "select top 3 a from t", "SELECT TOP 3 a FROM t")
	expectPrinted(t, "postgres", "select top from t", "SELECT top FROM t")
}

func TestErrors(t *testing.T) {
	expectError(t, "ansi", "select a, from t where", "expected expression", "FROM t")
	expectError(t, "ansi", "select (a + from t", "expected", "")
	expectError(t, "ansi", "select a b c from t", "expected , or FROM after select item", "SELECT a AS b FROM t")
	expectError(t, "ansi", "select a, (b + , c from t where x = 1", "expected expression", "FROM t WHERE x = 1")
	expectError(t, "ansi", "select sum(a over (partition by b) from t", "expected )", "sum(a) FROM t")
	expectError(t, "ansi", "select a from t where x = = 1 group by a", "expected expression", "GROUP BY a")
	expectError(t, "ansi", "with a as (select from), b as (select 2) select * from a", "expected select item", "b AS (SELECT 2) SELECT * FROM a")
	expectError(t, "ansi", "select case when a then b from t", "expected END", "FROM t")
	expectError(t, "ansi", "select cast(a as) from t", "expected a type", "FROM t")
	expectError(t, "ansi", "select a from t join", "expected a table", "SELECT a FROM t")
	expectError(t, "ansi", "select 'abc", "unterminated string", "")
	expectError(t, "ansi", "select a,\n as b_id, c from t", "expected expression", "SELECT a, <bad> AS b_id, c FROM t")
	// A left operand that rendered empty keeps the cast, the operator and the alias.
	expectError(t, "postgres", "select ::text as \"id\", x from t", "expected expression", "AS \"id\", x FROM t")
	expectError(t, "ansi", "select || 'x' as y, z from t", "expected expression", "AS y, z FROM t")
	expectError(t, "ansi", "with x as ( ), y as (select 1) select * from y", "expected SELECT", "y AS (SELECT 1) SELECT * FROM y")
	expectError(t, "ansi", "select f(a,, b), c from t", "expected expression", "c FROM t")
	expectError(t, "ansi", "with a as select 1 select 2", "expected ( before the CTE's query", "")
	expectError(t, "ansi", "select a from t; select b from c d e; select c", "expected ; or end of input", "SELECT c")
	expectError(t, "ansi", "select a from t where (b = 1", "expected )", "WHERE")
	expectError(t, "ansi", strings.Repeat("(", 2000)+"1", "nesting too deep", "")
	expectError(t, "ansi", "select a is 1", "expected NULL, TRUE, FALSE or DISTINCT FROM", "")
	expectError(t, "ansi", ")", "expected a statement", "")
}

// TestErrorPositions checks line and column and the sort order of errors.
func TestErrorPositions(t *testing.T) {
	_, errs := Parse("select a +\n  from t\nwhere ;", lookup(t, "ansi"))
	if len(errs) != 2 {
		t.Fatalf("got %v", errs)
	}
	if errs[0].Line != 2 || errs[0].Column != 3 || errs[1].Line != 3 || errs[1].Column != 7 {
		t.Errorf("positions: %v; %v", errs[0], errs[1])
	}
	if errs.Err() == nil || ErrorList(nil).Err() != nil {
		t.Error("Err() must be nil exactly when the list is empty")
	}
}

// TestPositions checks that node spans cover their source text.
func TestPositions(t *testing.T) {
	src := "select a.b as x, f(y) from s.t u where z > 1"
	f, errs := Parse(src, lookup(t, "ansi"))
	if errs != nil {
		t.Fatal(errs)
	}
	want := map[string]bool{"a.b": true, "a.b as x": true, "f(y)": true, "s.t u": true, "z > 1": true, "x": true, "u": true, "s.t": true}
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return true
		}
		if n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src) {
			t.Errorf("%T has a bad span [%d,%d)", n, n.Pos(), n.End())
			return true
		}
		delete(want, src[n.Pos():n.End()])
		return true
	})
	if len(want) > 0 {
		t.Errorf("no node spans %v", want)
	}
}

func TestParseExpr(t *testing.T) {
	x, errs := ParseExpr("a.b + f(c) * 2", lookup(t, "ansi"))
	if errs != nil || ast.String(x) != "a.b + f(c) * 2" {
		t.Errorf("got %s, %v", ast.String(x), errs)
	}
	if _, ok := x.(*ast.Binary); !ok {
		t.Errorf("got %T, want *ast.Binary", x)
	}
	if _, errs := ParseExpr("a +", lookup(t, "ansi")); errs.Err() == nil {
		t.Error("a + parsed without error")
	}
	if _, errs := ParseExpr("a b", lookup(t, "ansi")); errs.Err() == nil {
		t.Error("a b parsed without error")
	}
}

// A long text is parsed once: the second call returns the same tree and errors; a short one
// and another dialect are parsed again.
func TestParseShared(t *testing.T) {
	long := "select a, " + strings.Repeat("b + 1 as c, ", sharedMin/10) + "d from t where ("
	first, errs := ParseShared(long, dialect.Generic())
	if len(errs) == 0 {
		t.Fatal("the unclosed parenthesis is not reported")
	}
	again, errs2 := ParseShared(long, dialect.Generic())
	if again != first || len(errs2) != len(errs) {
		t.Error("a long text was parsed again")
	}
	pg, _ := dialect.Lookup("postgres")
	if other, _ := ParseShared(long, pg); other == first {
		t.Error("another dialect shared the tree")
	}
	if a, _ := ParseShared("select 1", dialect.Generic()); a == nil {
		t.Fatal("no tree")
	} else if b, _ := ParseShared("select 1", dialect.Generic()); a == b {
		t.Error("a short text was kept")
	}
}

// A text the first dialect cannot read is read in the fallback when that has fewer errors.
func TestParseSharedOr(t *testing.T) {
	bq, _ := dialect.Lookup("bigquery")
	duck, _ := dialect.Lookup("duckdb")
	src := `select a from "db"."s"."t"` // double quotes are strings to BigQuery
	if _, errs := ParseSharedOr(src, bq, nil); len(errs) == 0 {
		t.Fatal("BigQuery read double-quoted names without the fallback")
	}
	if _, errs := ParseSharedOr(src, bq, &duck); len(errs) != 0 {
		t.Errorf("the fallback's parse was not kept: %v", errs)
	}
}

// Snowflake's ASOF JOIN keeps the left side's rows (an outer join); DuckDB's is inner.
func TestAsofJoinKind(t *testing.T) {
	for dialectName, want := range map[string]string{"snowflake": "LEFT", "duckdb": "INNER"} {
		src := "select * from t asof join p match_condition (t.ts >= p.ts) on t.k = p.k"
		if dialectName == "duckdb" {
			src = "select * from t asof join p on t.k = p.k and t.ts >= p.ts"
		}
		f, errs := Parse(src, lookup(t, dialectName))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", dialectName, errs)
		}
		var got string
		ast.Inspect(f, func(n ast.Node) bool {
			if j, ok := n.(*ast.Join); ok {
				got = j.Kind
			}
			return true
		})
		if got != want {
			t.Errorf("%s: ASOF JOIN kind %q, want %q", dialectName, got, want)
		}
	}
}

// ClickHouse's FINAL after a table is a modifier, not an alias: after an alias in every
// dialect, and right after the name in the generic dialect an unknown adapter gets.
func TestFinalModifier(t *testing.T) {
	expectPrinted(t, "postgres", "select a.x from t a final join u b final on a.id = b.id", "SELECT a.x FROM t final AS a JOIN u final AS b ON a.id = b.id")
	expectPrinted(t, "postgres", "select final.x from t final", "SELECT final.x FROM t AS final")
	d, _ := dialect.Lookup("clickhouse")
	f, errs := Parse("select x from t FINAL where x > 1", d)
	if len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if got, want := ast.String(f), "SELECT x FROM t FINAL WHERE x > 1"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// ClickHouse's cast(x, 'Type') gives the type as a second argument: a call, not a CAST
// missing its AS.
func TestCastWithComma(t *testing.T) {
	expectPrinted(t, "postgres", "select cast(a, 'Array(String)') as b, cast(f(x, y) as int) c from t", "SELECT cast(a, 'Array(String)') AS b, CAST(f(x, y) AS INT) AS c FROM t")
}

// ClickHouse writes a join's strictness before or after its kind.
func TestClickHouseJoinStrictness(t *testing.T) {
	expectPrinted(t, "postgres", "select * from a left asof join b on a.t >= b.t any left join c on c.k = a.k inner all join d on d.k = a.k",
		"SELECT * FROM a LEFT ASOF JOIN b ON a.t >= b.t ANY LEFT JOIN c ON c.k = a.k INNER ALL JOIN d ON d.k = a.k")
}
