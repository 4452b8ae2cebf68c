package review

import (
	"fmt"
	"slices"
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
	s := texts(got.Clauses)
	for _, want := range []string{"DISTINCT", "WHERE status <> 'void'", "LEFT JOIN ON c.id = o.customer_id", "GROUP BY 1", "QUALIFY row_number()"} {
		if !strings.Contains(s, want) {
			t.Errorf("clauses %q lack %q", s, want)
		}
	}
	if strings.Contains(strings.ToLower(s), "group by group by") {
		t.Errorf("clauses %q print the keyword twice", s)
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

// One filter edited in each branch of a union pairs branch by branch, and the same edit in
// several branches is said once with its count.
func TestClassifyPairsEachBranch(t *testing.T) {
	m := &change.ModelChange{UniqueID: "model.p.monthly", Change: change.Modified}
	_, reasons := Classify(m,
		[]Clause{{Text: "WHERE a > 2"}, {Text: "WHERE b > 2"}, {Text: "WHERE c > 2"}, {Text: "WHERE c > 2"}},
		[]Clause{{Text: "WHERE a > 1"}, {Text: "WHERE b > 1"}, {Text: "WHERE c > 1"}, {Text: "WHERE c > 1"}})
	want := []string{"grain or filter changed: WHERE a > 2 (was WHERE a > 1)", "grain or filter changed: WHERE b > 2 (was WHERE b > 1)",
		"grain or filter changed: WHERE c > 2 (was WHERE c > 1) (2 times)"}
	if strings.Join(reasons, "\n") != strings.Join(want, "\n") {
		t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
}

// A change of how a model is built or where its relation lives is a reason a reviewer reads,
// even when no column changed; a tag or a meta key is not.
func TestClassifyConfigChanges(t *testing.T) {
	m := &change.ModelChange{Change: change.Modified, Impact: []string{"model.p.b"}, Config: []change.ConfigChange{
		{Key: "alias", From: nil, To: "orders_v2"},
		{Key: "materialized", From: "incremental", To: "table"},
		{Key: "tags", From: []any{"a"}, To: []any{"a", "b"}},
		{Key: "unique_key", From: []any{"id"}, To: []any{"id", "day"}},
	}}
	class, reasons := Classify(m, nil, nil)
	want := []string{
		"config alias: unset → orders_v2 (its relation is renamed: queries outside dbt that name it break)",
		"config materialized: incremental → table (how it is built)",
		"config unique_key: [id] → [id, day] (what an incremental run merges on)",
		"no downstream column reads a removed, renamed or retyped column",
	}
	if class != NonBreaking || !slices.Equal(reasons, want) {
		t.Errorf("got %s %q\nwant %q", class, reasons, want)
	}
}

// A renamed model's relation is renamed with it: said once, in place of the alias line, with
// its other config changes; an alias that keeps the old name (no Relation) says nothing.
func TestClassifyRenamedRelation(t *testing.T) {
	m := &change.ModelChange{Change: change.Renamed, From: "model.p.a", Relation: &change.RelationMove{From: "a", To: "b"},
		Config: []change.ConfigChange{{Key: "alias", From: "a", To: nil}, {Key: "materialized", From: "view", To: "table"}}}
	_, reasons := Classify(m, nil, nil)
	want := []string{
		"relation renamed: a → b (queries outside dbt that name it break; the old relation is left in the warehouse)",
		"config materialized: view → table (how it is built)",
		"nothing downstream",
	}
	if !slices.Equal(reasons, want) {
		t.Errorf("got %q\nwant %q", reasons, want)
	}
	m.Relation, m.Config = nil, []change.ConfigChange{{Key: "alias", From: nil, To: "a"}}
	if _, reasons := Classify(m, nil, nil); strings.Contains(strings.Join(reasons, ";"), "relation renamed") {
		t.Errorf("alias keeps the relation, got %q", reasons)
	}
}

// String literals are compared and shown as written: a filter on 'Completed' is not one on
// 'completed'. Keywords and names still compare without case.
func TestGrainClausesKeepLiterals(t *testing.T) {
	base, _ := GrainClauses("select a from t where status = 'Completed'", "snowflake")
	same, _ := GrainClauses("SELECT a FROM t WHERE STATUS = 'Completed'", "snowflake")
	if add, rem := GrainDiff(base, same); len(add)+len(rem) != 0 {
		t.Errorf("case of keywords and names counted: +%v -%v", texts(add), texts(rem))
	}
	head, _ := GrainClauses("select a from t where status = 'completed'", "snowflake")
	add, rem := GrainDiff(base, head)
	if len(add) != 1 || add[0].Text != "WHERE status = 'completed'" || len(rem) != 1 || rem[0].Text != "WHERE status = 'Completed'" {
		t.Errorf("literal case change: +%v -%v", texts(add), texts(rem))
	}
}

// `x = 'TRUE'` simplified to `x` on a boolean column filters the same rows (the shape of a
// warehouse column retyped from varchar to boolean); the same literal in another case on both
// sides is still a change.
func TestGrainDiffBooleanSimplification(t *testing.T) {
	for _, c := range []struct{ base, head string }{
		{"select a from t where is_deleted = 'TRUE' and a > 1", "select a from t where is_deleted and a > 1"},
		{"select a from t where t.is_active = true", "select a from t where t.is_active"},
		{"select a from t where is_test = false", "select a from t where not is_test"},
		{"select a from t where is_active", "select a from t where is_active is true"},
	} {
		b, _ := GrainClauses(c.base, "snowflake")
		h, _ := GrainClauses(c.head, "snowflake")
		if add, rem := GrainDiff(b, h); len(add)+len(rem) != 0 {
			t.Errorf("%q -> %q counted as a grain change: +%v -%v", c.base, c.head, texts(add), texts(rem))
		}
	}
	b, _ := GrainClauses("select a from t where flag = 'TRUE'", "snowflake")
	h, _ := GrainClauses("select a from t where flag = 'true'", "snowflake")
	if add, _ := GrainDiff(b, h); len(add) != 1 {
		t.Errorf("'TRUE' -> 'true' on both sides is a change: %v", texts(add))
	}
}

// A filter inside a relation the model only LEFT JOINs (a lookup) changes which lookup rows
// match, not which rows the model returns: the shape of scoping a program lookup by platform.
func TestGrainClausesLookups(t *testing.T) {
	const model = `with enrollments as (
    select * from raw.enrollments where is_verified
), program_lookup as (
    select courserun_id, program_fk, row_number() over (partition by courserun_id order by program_fk) as _row_num
    from raw.program_runs
), program_lookup_first as (
    select * from program_lookup where _row_num = 1%s
)
select enrollments.enrollment_id, program_lookup_first.program_fk
from enrollments
left join program_lookup_first on enrollments.courserun_id = program_lookup_first.courserun_id%s
left join (select user_id, email from raw.users where email is not null%s) as users on enrollments.user_id = users.user_id`
	base, ok := GrainClauses(fmt.Sprintf(model, "", "", ""), "snowflake")
	if !ok {
		t.Fatal("did not parse")
	}
	for _, c := range base.Clauses {
		want := ""
		switch {
		case strings.Contains(c.Text, "_row_num = 1"), strings.Contains(c.Text, "program_lookup_first.courserun_id"):
			want = "program_lookup_first"
		case strings.Contains(c.Text, "email is not null"), strings.Contains(c.Text, "users.user_id"):
			want = "users"
		}
		if c.Lookup != want {
			t.Errorf("%q: lookup %q, want %q", c.Text, c.Lookup, want)
		}
	}
	head, _ := GrainClauses(fmt.Sprintf(model, " and platform is not null", " and enrollments.platform = program_lookup_first.platform", " and not is_retired"), "snowflake")
	add, rem := GrainDiff(base, head)
	if len(add) != 3 || len(rem) != 3 {
		t.Fatalf("diff: +%v -%v", texts(add), texts(rem))
	}
	m := &change.ModelChange{UniqueID: "model.p.tfact_enrollment", Change: change.Modified, Impact: []string{"model.p.rpt"}}
	class, reasons := Classify(m, add, rem)
	if class != Partial {
		t.Errorf("lookup-only change classified %s, want partial: %q", class, reasons)
	}
	joins := 0
	for _, r := range reasons {
		if strings.HasPrefix(r, "join of lookup ") {
			joins++
			continue
		}
		if !strings.HasPrefix(r, "lookup ") {
			t.Errorf("reason %q does not name the lookup", r)
		}
	}
	// The join whose condition changed is one reason, old → new, beside the two of each
	// lookup filter.
	if joins != 1 || len(reasons) != 5 {
		t.Errorf("want one reason for the changed join and two per lookup filter: %q", reasons)
	}
	// The same filter on the relation the model selects from changes its rows.
	rowsHead, _ := GrainClauses(strings.Replace(fmt.Sprintf(model, "", "", ""), "where is_verified", "where is_verified and is_active", 1), "snowflake")
	add, rem = GrainDiff(base, rowsHead)
	if class, _ := Classify(m, add, rem); class != Breaking || len(add) != 1 || add[0].Lookup != "" {
		t.Errorf("filter of the selected relation: %s +%v", class, texts(add))
	}
}

// `WHERE TRUE` written for an incremental macro to append to (it renders to nothing outside
// incremental runs) filters nothing: adding it is no grain change.
func TestGrainClausesWhereTrue(t *testing.T) {
	base, _ := GrainClauses("select date, volume from combined order by date", "snowflake")
	for _, head := range []string{"select date, volume from combined WHERE TRUE order by date", "select date, volume from combined where 1=1"} {
		h, _ := GrainClauses(head, "snowflake")
		if add, rem := GrainDiff(base, h); len(add)+len(rem) != 0 {
			t.Errorf("%q: +%v -%v", head, texts(add), texts(rem))
		}
	}
}

// Qualifying a column with the one relation a select reads, or dropping the qualifier (as
// SQLFluff's reference rules ask), filters the same rows; with a join or a subquery the
// qualifier may decide which column is meant, and a change of it still counts.
func TestGrainDiffIgnoresQualifiersOfTheOneRelation(t *testing.T) {
	for _, c := range []struct {
		base, head string
		same       bool
	}{
		{"select a from source where source.row_num = 1", "select a from source where row_num = 1", true},
		{"select s.a from raw.t s where s.x = 's.x' group by s.a", "select a from raw.t as s where x = 's.x' group by a", true},
		{"select a from raw.orders where orders.status = 'x'", "select a from raw.orders where status = 'x'", true},
		{"select a from raw.orders where raw.orders.status = 'x'", "select a from raw.orders where status = 'x'", true},
		{"select a from (select * from t) d where d.x > 0", "select a from (select * from t) d where x > 0", true},
		{"select a from source where source.x = 's.y'", "select a from source where x = 's.z'", false},
		{"select a from t join u on t.k = u.k where t.x = 1", "select a from t join u on t.k = u.k where x = 1", false},
		{"select a from t where t.a in (select a from u)", "select a from t where a in (select a from u)", false},
		{"select a from t where t.x = 1", "select a from t where u.x = 1", false},
	} {
		base, okb := GrainClauses(c.base, "snowflake")
		head, okh := GrainClauses(c.head, "snowflake")
		if !okb || !okh {
			t.Fatalf("did not parse: %q / %q", c.base, c.head)
		}
		add, rem := GrainDiff(base, head)
		if same := len(add)+len(rem) == 0; same != c.same {
			t.Errorf("%q -> %q: same %v, want %v (+%s -%s)", c.base, c.head, same, c.same, texts(add), texts(rem))
		}
	}
}

// The removed clauses keep the base's order, as the added keep the head's: the tenth branch
// of a union is not paired with the second.
func TestGrainDiffKeepsBranchOrder(t *testing.T) {
	var base, head []string
	for i := 1; i <= 11; i++ {
		base = append(base, fmt.Sprintf("select a from t where x = %d", i))
		head = append(head, fmt.Sprintf("select a from t where x = %d + 0", i))
	}
	b, _ := GrainClauses(strings.Join(base, " union all "), "duckdb")
	h, _ := GrainClauses(strings.Join(head, " union all "), "duckdb")
	_, rem := GrainDiff(b, h)
	if len(rem) != 11 || rem[1].Text != "WHERE x = 2" || rem[9].Text != "WHERE x = 10" {
		t.Errorf("removed in this order: %s", texts(rem))
	}
}

// A left join the change adds, of a relation the base does not read, brings columns and keeps
// every row of the model: it is no grain change, unlike a join whose condition changed (which
// rows of the lookup match) or an inner join added (which rows of the model stay).
func TestGrainDiffNewLeftJoin(t *testing.T) {
	const base = `with h as (select * from raw.history),
statuses as (select * from raw.statuses)
select h.issue_id, statuses.status_name as status
from h
left join statuses on statuses.status_id = h.status_id`
	for _, c := range []struct {
		name, head, class string
		whole             bool
	}{
		{"left join added", `with h as (select * from raw.history),
statuses as (select * from raw.statuses),
status_categories as (select * from raw.status_categories where not is_deleted)
select h.issue_id, statuses.status_name as status, status_categories.status_category_name
from h
left join statuses on statuses.status_id = h.status_id
left join status_categories on statuses.status_category_id = status_categories.status_category_id`, NonBreaking, true},
		{"left join added inside a lookup", `with h as (select * from raw.history),
statuses as (select s.*, c.name from raw.statuses s left join raw.categories c on c.id = s.category_id)
select h.issue_id, statuses.status_name as status
from h
left join statuses on statuses.status_id = h.status_id`, NonBreaking, true},
		{"condition changed", strings.Replace(base, "= h.status_id", "= h.status_id and statuses.is_current", 1), Partial, false},
		{"alias of the lookup reused", strings.Replace(strings.Replace(base, "left join statuses on statuses.", "left join raw.categories statuses on statuses.", 1), "= h.status_id", "= h.category_id", 1), Partial, false},
		{"inner join added", base + "\njoin raw.status_categories c on c.id = statuses.status_category_id", Breaking, false},
		{"made inner", strings.Replace(base, "left join", "inner join", 1), Breaking, false},
		{"left join dropped", "with h as (select * from raw.history)\nselect h.issue_id from h", NonBreaking, true},
	} {
		b, okb := GrainClauses(base, "snowflake")
		h, okh := GrainClauses(c.head, "snowflake")
		if !okb || !okh {
			t.Fatalf("%s: did not parse", c.name)
		}
		add, rem := GrainDiff(b, h)
		if len(add)+len(rem) == 0 {
			t.Fatalf("%s: no clause changed", c.name)
		}
		whole := true
		for _, cl := range slices.Concat(add, rem) {
			whole = whole && cl.WholeJoin
		}
		m := &change.ModelChange{UniqueID: "model.p.field_history", Change: change.Modified, Impact: []string{"model.p.rpt"}}
		class, reasons := Classify(m, add, rem)
		if class != c.class || whole != c.whole {
			t.Errorf("%s: %s (whole join %v), want %s (%v): %q", c.name, class, whole, c.class, c.whole, reasons)
		}
	}
}

// Adding a join to a select that read one relation brings qualifiers with it: the filter
// `status = 'x'` on the base's one relation is `orders.status = 'x'` (or `o.status`) beside a
// join, the same rows.
func TestGrainDiffQualifiersOfTheOneRelationBesideANewJoin(t *testing.T) {
	for _, c := range []struct {
		base, head string
		same       bool
	}{
		{"select id from orders where status = 'x'", "select orders.id, c.name from orders left join c on c.id = orders.cid where orders.status = 'x'", true},
		{"select id from orders o where o.status = 'x'", "select o.id, c.name from orders o left join c on c.id = o.cid where o.status = 'x'", true},
		{"select id from orders o where o.status = 'x' group by o.id", "select o.id from orders o left join c on c.id = o.cid where o.status = 'x' group by o.id", true},
		{"select orders.id, c.name from orders left join c on c.id = orders.cid where orders.status = 'x'", "select id from orders where status = 'x'", true},
		{"select id from orders where status = 'x'", "select orders.id from orders left join c on c.id = orders.cid where c.status = 'x'", false},
		{"select id from orders where status = 'x'", "select orders.id from orders left join c on c.id = orders.cid where orders.status = 'y'", false},
	} {
		base, okb := GrainClauses(c.base, "snowflake")
		head, okh := GrainClauses(c.head, "snowflake")
		if !okb || !okh {
			t.Fatalf("did not parse: %q / %q", c.base, c.head)
		}
		add, rem := GrainDiff(base, head)
		var rows []Clause
		for _, cl := range slices.Concat(add, rem) {
			if !cl.WholeJoin {
				rows = append(rows, cl)
			}
		}
		if same := len(rows) == 0; same != c.same {
			t.Errorf("%q -> %q: same %v, want %v (%s)", c.base, c.head, same, c.same, texts(rows))
		}
	}
}

// A union branch the change adds brings rows and leaves the existing ones as they were: its
// clauses (and those of a CTE only it reads) decide which new rows come, not the model's
// grain. A UNION over existing rows the base did not deduplicate, an EXCEPT, or a clause of
// a branch or CTE the existing rows go through, still changes them.
func TestGrainDiffNewUnionBranch(t *testing.T) {
	const base = `with transfers as (select contract_address from raw.chain.transfers)
select contract_address from transfers`
	for _, c := range []struct {
		name, base, head, class string
	}{
		{"new branch reads a new CTE with DISTINCT", base, `with transfers as (select contract_address from raw.chain.transfers),
mints as (select distinct contract_address from raw.chain.mints)
select contract_address from transfers
union all
select contract_address from mints`, NonBreaking},
		{"new branch with its own clauses", base, base + `
union all
select contract_address from raw.chain.mints m join raw.chain.blocks b on b.id = m.block_id where b.ok group by 1 qualify count(*) over () > 1`, NonBreaking},
		{"new CTE behind a new CTE", base, `with transfers as (select contract_address from raw.chain.transfers),
m0 as (select * from raw.chain.mints where not failed),
mints as (select distinct contract_address from m0)
select contract_address from transfers
union all
select contract_address from mints`, NonBreaking},
		{"new branch first, with the existing branch's filter", "select a from t where x = 1", "select a from u where x = 1 union all select a from t where x = 1", NonBreaking},
		{"new branch in a CTE", "with c as (select a from t where x = 1) select a from c",
			"with c as (select a from t where x = 1 union all select distinct a from u where y) select a from c", NonBreaking},
		{"UNION over rows already deduplicated", "select a from t union select a from u", "select a from t union select a from u union select a from v where y", NonBreaking},
		{"UNION over a SELECT DISTINCT", "select distinct a from t", "select distinct a from t union select a from u", NonBreaking},
		{"UNION over rows kept with duplicates", "select a from t union all select a from u", "select a from t union all select a from u union select a from v", Breaking},
		{"UNION ALL made UNION", "select a from t union all select a from u", "select a from t union select a from u", Breaking},
		{"EXCEPT added", "select a from t", "select a from t except select a from u", Breaking},
		{"existing branch changed beside a new one", "select a from t where x = 1", "select a from t where x = 2 union all select a from u", Breaking},
		{"CTE the existing branch reads changed", base, `with transfers as (select distinct contract_address from raw.chain.transfers)
select contract_address from transfers
union all
select contract_address from transfers`, Breaking},
		{"new CTE filters the existing branch", base, `with transfers as (select contract_address from raw.chain.transfers),
live as (select * from transfers where not reverted)
select contract_address from live
union all
select contract_address from raw.chain.mints`, Breaking},
		{"branch removed", "select a from t where x = 1 union all select a from u", "select a from u", Breaking},
		{"new branch with no clause of its own", "select a from t union all select a from u", "select a from t union all select a from u union all select a from v", NonBreaking},
		{"new branch of a CTE reading a new CTE with no clause", "with t as (select a from x), c as (select * from t) select * from c",
			"with t as (select a from x), v as (select a from y), c as (select * from t union all select * from v) select * from c", NonBreaking},
	} {
		b, okb := GrainClauses(c.base, "snowflake")
		h, okh := GrainClauses(c.head, "snowflake")
		if !okb || !okh {
			t.Fatalf("%s: did not parse", c.name)
		}
		add, rem := GrainDiff(b, h)
		m := &change.ModelChange{UniqueID: "model.p.tokens", Change: change.Modified, Impact: []string{"model.p.rpt"}}
		class, reasons := Classify(m, add, rem)
		if class != c.class {
			t.Errorf("%s: %s, want %s: %q (+%s -%s)", c.name, class, c.class, reasons, texts(add), texts(rem))
		}
		if c.class == NonBreaking && (len(add) == 0 || !strings.HasPrefix(reasons[0], "adds rows in a new union branch")) {
			t.Errorf("%s: reasons %q do not say a branch adds rows (+%s)", c.name, reasons, texts(add))
		}
	}
}

// A union branch the change removes takes every row it brought away: breaking, with a reason
// that names what the branch read, and a removed clause that says where it was in the head.
// Its own clauses go with it rather than being reasons of their own.
func TestGrainDiffRemovedUnionBranch(t *testing.T) {
	for _, c := range []struct {
		name, base, head, reads string
		at                      string // the head text the branch is said to have been after
	}{
		{"branch of a CTE, reading a CTE", `with wh as (select a, credits from w), pipes as (select a, credits from p), cortex as (select a, credits from raw.cortex),
combined as (select * from wh union all select * from pipes union all select * from cortex)
select * from combined`, `with wh as (select a, credits from w), pipes as (select a, credits from p),
combined as (select * from wh union all select * from pipes)
select * from combined`, "reading cortex in combined", "select * from pipes"},
		{"branch of the final query", "select a from w union all select a from p union all select a from raw.cortex",
			"select a from w union all select a from p", "reading cortex", "select a from p"},
		{"first branch, with a filter", "select a from raw.cortex where credits > 0 union all select a from w",
			"select a from w", "reading cortex", "select a from w"},
	} {
		b, okb := GrainClauses(c.base, "snowflake")
		h, okh := GrainClauses(c.head, "snowflake")
		if !okb || !okh {
			t.Fatalf("%s: did not parse", c.name)
		}
		add, rem := GrainDiff(b, h)
		if len(add) != 0 || len(rem) != 1 || !rem[0].Branch {
			t.Fatalf("%s: want one removed branch: +%s -%s", c.name, texts(add), texts(rem))
		}
		if at := rem[0].At; at < 0 || !strings.HasPrefix(c.head[strings.LastIndex(c.head[:min(at+len("select"), len(c.head))], "select"):], c.at) {
			t.Errorf("%s: branch said at %d, want in %q", c.name, at, c.at)
		}
		m := &change.ModelChange{UniqueID: "model.p.costs", Change: change.Modified, Impact: []string{"model.p.rpt"}}
		class, reasons := Classify(m, add, rem)
		want := "removes a union branch (" + c.reads + "): the rows it brought are gone"
		if class != Breaking || len(reasons) != 1 || reasons[0] != want {
			t.Errorf("%s: %s %q, want breaking with %q", c.name, class, reasons, want)
		}
	}
}

// One join condition edited in a Jinja loop (each CTE it writes left joins the same lookup)
// is one reason per join, old and new side by side, not a condition added and one gone.
func TestClassifyChangedLookupJoin(t *testing.T) {
	const model = `with a as (select d.day, u.spend from days as d left join usage as u on u.%s and u.kind = 'a'),
b as (select d.day, u.spend from days as d left join usage as u on u.%s and u.kind = 'b')
select * from a union all select * from b`
	base, _ := GrainClauses(fmt.Sprintf(model, "locator = 1", "locator = 1"), "snowflake")
	head, _ := GrainClauses(fmt.Sprintf(model, "name = 'n'", "name = 'n'"), "snowflake")
	add, rem := GrainDiff(base, head)
	m := &change.ModelChange{UniqueID: "model.p.spend", Change: change.Modified}
	class, reasons := Classify(m, add, rem)
	want := []string{
		"join of lookup u changed: LEFT JOIN ON u.locator = 1 and u.kind = 'a' → u.name = 'n' and u.kind = 'a'",
		"join of lookup u changed: LEFT JOIN ON u.locator = 1 and u.kind = 'b' → u.name = 'n' and u.kind = 'b'",
	}
	if class != Partial || !slices.Equal(reasons, want) {
		t.Errorf("%s %q, want partial with %q", class, reasons, want)
	}
}

// A new lookup aggregated as the model is (`group by 1, 2` in both) brings its own GROUP BY:
// the model's own clause is still there, so the change adds a lookup and no grain.
func TestGrainDiffNewLookupWithTheModelsGroupBy(t *testing.T) {
	const base = `with lines as (select * from stg.lines),
taxes as (select line_id, shop, sum(tax) as tax from stg.taxes group by 1, 2),
agg as (
  select lines.order_id, lines.shop, sum(taxes.tax) as total_tax
  from lines
  left join taxes on taxes.line_id = lines.line_id and taxes.shop = lines.shop
  group by 1, 2)
select * from agg`
	head := strings.Replace(base, "agg as (", `discounts as (select line_id, shop, sum(amount) as amount from stg.discounts group by 1, 2),
agg as (`, 1)
	head = strings.Replace(head, "sum(taxes.tax) as total_tax", "sum(taxes.tax) as total_tax, sum(discounts.amount) as total_discount", 1)
	head = strings.Replace(head, "  group by 1, 2)", "  left join discounts on discounts.line_id = lines.line_id and discounts.shop = lines.shop\n  group by 1, 2)", 1)
	b, okb := GrainClauses(base, "postgres")
	h, okh := GrainClauses(head, "postgres")
	if !okb || !okh {
		t.Fatal("did not parse")
	}
	add, rem := GrainDiff(b, h)
	for _, c := range slices.Concat(add, rem) {
		if c.Lookup != "discounts" || !c.WholeJoin {
			t.Errorf("clause outside the new lookup: %+v", c)
		}
	}
	m := &change.ModelChange{UniqueID: "model.p.order_totals", Change: change.Modified, Impact: []string{"model.p.rpt"}}
	if class, reasons := Classify(m, add, rem); class != NonBreaking {
		t.Errorf("class %s, want %s: %q", class, NonBreaking, reasons)
	}
}

func TestSameSQL(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"select a from t where x = 1", "select a from t where x = 1", true},
		{"select a from t where x = 1", "select a from t where x = 1\n-- reviewed\n", true},
		{"select a from t where x = 1", "-- why\nselect a,   /* the key */\n  from t\nwhere x = 1", false}, // a comma more
		{"select a from t where x = 1", "-- why\nselect a   /* the key */\n  from t\nWHERE x = 1", false},  // a keyword's case is its text
		{"select a from t where x = 1", "-- why\nselect a   /* the key */\n  from t\nwhere x  =  1", true},
		{"select a from t where x = 1", "select a from t where x = 2", false},
		{"select a from t where x = 1", "select a from t where x = 1 and y = 2", false},
		// Whether two tokens touch decides how some read (a path, a bind parameter).
		{"select a:b from t", "select a: b from t", false},
		{"select a from t", "select a from t;", false},
	} {
		if got := SameSQL(c.a, c.b, "snowflake"); got != c.same {
			t.Errorf("SameSQL(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

// The review skips the grain of a model whose SQL reads the same on both sides (SameSQL): a
// grain compared with itself must then say nothing, as the skip does.
func TestGrainDiffOfSameSQLIsEmpty(t *testing.T) {
	for _, sql := range []string{
		"select a, count(*) from t join u on t.k = u.k left join v on v.k = t.k where x = 1 group by a having count(*) > 1",
		"with s as (select distinct a from t where b) select * from s union select a from u qualify row_number() over (partition by a order by a) = 1",
		"select a from t union all select a from u where c = 'x' union all select a from v",
		"select distinct on (a) a, b from t left join (select k from w where z) l on l.k = t.k",
	} {
		base, ok1 := GrainClauses(sql, "postgres")
		head, ok2 := GrainClauses(sql+"\n-- reviewed\n", "postgres")
		if !ok1 || !ok2 {
			t.Fatalf("%q does not parse", sql)
		}
		if added, removed := GrainDiff(base, head); len(added)+len(removed) > 0 {
			t.Errorf("%q: the same SQL differs in %s / %s", sql, texts(added), texts(removed))
		}
	}
}
