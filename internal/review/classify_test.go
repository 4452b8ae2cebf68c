package review

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

func texts(cs []Clause) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return strings.Join(out, " | ")
}

func TestGrainClauses(t *testing.T) {
	sql := `with o as (select distinct customer_id, amount from raw.orders where status <> 'void')
select o.customer_id, sum(amount) as total
from o left join raw.customers c on c.id = o.customer_id
group by 1
qualify row_number() over (partition by o.customer_id order by total) = 1`
	got, ok := GrainClauses(sql, "snowflake")
	if !ok {
		t.Fatal("did not parse")
	}
	s := texts(got)
	for _, want := range []string{"DISTINCT", "WHERE status <> 'void'", "LEFT JOIN ON c.id = o.customer_id", "GROUP BY", "QUALIFY row_number()"} {
		if !strings.Contains(s, want) {
			t.Errorf("clauses %q lack %q", s, want)
		}
	}
}

func TestGrainDiffIgnoresFormatting(t *testing.T) {
	base, _ := GrainClauses("select a from t where x = 1 group by a", "duckdb")
	head, _ := GrainClauses("select a,\n  b\nfrom t\nWHERE   x = 1 -- same filter\ngroup by a", "duckdb")
	if add, rem := GrainDiff(base, head); len(add)+len(rem) != 0 {
		t.Errorf("formatting counted as a grain change: +%v -%v", texts(add), rem)
	}
	head2, _ := GrainClauses("select a from t where x = 2 group by a", "duckdb")
	add, rem := GrainDiff(base, head2)
	if len(add) != 1 || !strings.Contains(add[0].Text, "x = 2") || len(rem) != 1 {
		t.Errorf("filter change: +%v -%v", texts(add), rem)
	}
	head3, _ := GrainClauses("select a from t join u on t.k = u.k where x = 1 group by a", "duckdb")
	if add, _ := GrainDiff(base, head3); len(add) != 1 || !strings.Contains(add[0].Text, "JOIN ON") {
		t.Errorf("added join: %v", texts(add))
	}
}

func TestGrainClausesUnparsable(t *testing.T) {
	if _, ok := GrainClauses("select from where (", "duckdb"); ok {
		t.Error("broken SQL reported as parsed")
	}
}

func TestClassify(t *testing.T) {
	m := &change.ModelChange{UniqueID: "model.shop.stg_customers", Change: change.Modified,
		Columns:   []change.ColumnChange{{Name: "last_name", Change: change.Removed}},
		Impact:    []string{"model.shop.dim_customers"},
		ColImpact: []change.ColumnImpact{{Column: "last_name", Node: "model.shop.dim_customers", NodeColumn: "last_name"}}}
	class, reasons := Classify(m, nil, nil)
	if class != Partial || len(reasons) != 1 || reasons[0] != "column last_name (removed) is read by dim_customers.last_name" {
		t.Errorf("partial: %s %q", class, reasons)
	}
	class, _ = Classify(m, []Clause{{Text: "WHERE x"}}, nil)
	if class != Breaking {
		t.Errorf("grain change: %s, want breaking", class)
	}
	class, reasons = Classify(&change.ModelChange{Change: change.Added}, nil, nil)
	if class != NonBreaking || reasons[0] != "new model" {
		t.Errorf("added: %s %q", class, reasons)
	}
}
