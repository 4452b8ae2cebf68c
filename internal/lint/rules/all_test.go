package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
)

const sampleModel = `{{ config(materialized='table') }}

with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select
        order_id,
        sum(case when status = 'success' then amount else 0 end) as amount,
        count(*) as n
    from {{ ref('stg_payments') }} p
    group by 1
)

SELECT
    o.order_id,
    o.customer_id , p.amount,
    coalesce(p.n, 0)::int as payment_count,
    case when p.amount > 100 then true else false end as big
from orders o
left join payments as p on o.order_id = p.order_id
where o.status != 'returned' and p.amount is not null
order by 1 desc
`

func lintAll(tb testing.TB, src, dialect string) lint.FileResult {
	dir := tb.TempDir()
	l := &lint.Linter{Rules: All(), Loader: lint.NewConfigLoader(dir, nil), Dialect: dialect}
	return l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(dir, "m.sql"), Source: src})
}

func TestAllRulesOnSample(t *testing.T) {
	for _, d := range []string{"ansi", "snowflake", "bigquery", "postgres"} {
		res := lintAll(t, sampleModel, d)
		for _, p := range res.Problems {
			t.Errorf("%s: %s", d, p)
		}
		if len(res.Violations) == 0 {
			t.Errorf("%s: no findings on a sample full of them", d)
		}
	}
}

// BenchmarkAllRules lints a typical model with every rule (the template is left as written).
func BenchmarkAllRules(b *testing.B) {
	src := strings.Repeat(sampleModel+";\n", 4)
	dir := b.TempDir()
	l := &lint.Linter{Rules: All(), Loader: lint.NewConfigLoader(dir, nil), Dialect: "snowflake"}
	f := lint.File{Path: "m.sql", AbsPath: filepath.Join(dir, "m.sql"), Source: src}
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		l.LintFile(f)
	}
}

// FuzzAllRules: no rule fails on any input, whatever the dialect.
func FuzzAllRules(f *testing.F) {
	f.Add(sampleModel, 0)
	f.Add("select a,b from t where x in (select 1) union all select * except (a) from u;", 1)
	f.Add("with a as (select 1) select case when x then (y else end from", 2)
	f.Add("select x:a.b::string, f(input => y) over (partition by z) from t, lateral flatten(t.v) v", 1)
	f.Fuzz(func(t *testing.T, src string, d int) {
		dialects := []string{"ansi", "snowflake", "bigquery", "postgres"}
		if d < 0 {
			d = -d
		}
		res := lintAll(t, src, dialects[d%len(dialects)])
		for _, p := range res.Problems {
			if strings.Contains(p, "failed") || strings.Contains(p, "analysis") {
				t.Fatalf("%s\ninput: %q", p, src)
			}
		}
	})
}
