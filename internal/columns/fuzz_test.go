package columns

import (
	"testing"
)

// FuzzInfer feeds arbitrary SQL through parsing and inference in every dialect: whatever the
// input, inference must finish without panicking (a recovered panic shows up as an
// internal-error problem, which fails here too).
func FuzzInfer(f *testing.F) {
	for _, s := range []string{
		"select * from orders",
		"with a as (select id, amount from orders) select a.*, sum(amount) over () from a join customers using (id)",
		"select * exclude (x) rename (y as z) replace (1 as w) from raw.events e, lateral flatten(input => e.payload:items) f",
		"select * from (values (1, 'a')) as v(k, l) pivot (sum(k) for l in ('a', 'b'))",
		"with recursive r(n) as (select 1 union all select n + 1 from r) select n from r",
		"select cast(x as ) as y, , from",
		"select unnest(a), t.* from t, unnest(t.arr) as item with offset",
		"select (select max(id) from orders) as m, exists(select 1) as e, case when true then 1 end",
		"select a.b.c.d, x:y[0].z::string, f(x).y from t",
	} {
		f.Add(s)
	}
	upstream := map[string]string{"orders": "id:integer, amount:numeric", "customers": "id:integer, name:text", "raw.events": "?"}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, d := range []string{"postgres", "snowflake", "bigquery", "duckdb"} {
			p := testProject(d, upstream)
			n := addModel(p, "m", sql)
			res := Infer(p, Options{Models: []string{n.UniqueID}, Workers: 1})
			got := res.Node(n.UniqueID)
			if got == nil {
				t.Fatalf("%s: no result", d)
			}
			for _, pr := range got.Unresolved {
				if pr.Kind == "internal-error" {
					t.Fatalf("%s: %s\n%q", d, pr.Reason, sql)
				}
			}
		}
	})
}
