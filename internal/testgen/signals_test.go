package testgen

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Each case is a model's SQL and what its signals must say. Keys are the grain; lits and
// nn list columns whose literals or not-null evidence must be found; absent lists columns
// that must have neither.
func TestSignals(t *testing.T) {
	cases := []struct {
		name, sql string
		keys      string
		lits      map[string]string
		nn        string
		join      string
		absent    string
	}{
		{name: "group by names", sql: `select customer_id, count(*) as n from orders group by customer_id`, keys: "customer_id"},
		{name: "group by positions", sql: `select order_date, status, sum(x) as total from o group by 1, 2`, keys: "order_date,status"},
		{name: "group by all", sql: `select a, b, max(c) as m from t group by all`, keys: "a,b"},
		{name: "group by all, aggregates combined by alias", sql: `select a, b, sum(c) as s, count(*) as n, s - n as d from t group by all`, keys: "a,b"},
		{name: "group by all keyed by a surrogate key", sql: `select a, b, md5(cast(a as varchar) || '-' || cast(b as varchar)) as sk, c, sum(x) as s from t group by all`, keys: "sk"},
		{name: "distinct", sql: `select distinct user_id from events`, keys: "user_id"},
		{name: "distinct on", sql: `select distinct on (account_id) account_id, updated_at from a order by account_id, updated_at desc`, keys: "account_id"},
		{name: "qualify dedup", sql: `select id, v from t qualify row_number() over (partition by id order by ts desc) = 1`, keys: "id"},
		{name: "where rn dedup through a CTE", sql: `with ranked as (select id, row_number() over (partition by id order by ts) as rn from t)
			select id from ranked where rn = 1`, keys: "id"},
		{name: "where rn dedup renaming the key", sql: `with ranked as (select *, row_number() over (partition by id order by ts desc) as rn from t)
			select id as pull_request_id, title from ranked where rn = 1`, keys: "pull_request_id"},
		{name: "where rn dedup through a star", sql: `with ranked as (select *, row_number() over (partition by id order by ts desc) as rn from t)
			select * from ranked where rn = 1`, keys: "id"},
		{name: "a date spine numbers its days", sql: `with rawdata as (select 1 as generated_number),
			all_periods as (select (dateadd(day, row_number() over (order by generated_number) - 1, to_date('12/01/2015', 'mm/dd/yyyy'))) as date_day from rawdata),
			filtered as (select * from all_periods where date_day <= dateadd(year, 40, current_date))
			select date_day, dayname(date_day) as day_name from filtered`, keys: "date_day"},
		{name: "a date spine on postgres", sql: `with p as (select cast('2020-01-01' as date) + ((interval '1 day') * (row_number() over (order by 1) - 1)) as date_day from g)
			select * from p`, keys: "date_day"},
		{name: "a partitioned row number is no key", sql: `select row_number() over (partition by a order by b) as rn, a from t`, keys: ""},
		{name: "a row number plus a column is no key", sql: `select row_number() over (order by b) + a as n, a from t`, keys: ""},
		{name: "distinct over a where rn dedup keeps the dedup key", sql: `with ranked as (select t.id, t.name, row_number() over (partition by t.id order by ts desc) as rn from t)
			select distinct id, name from ranked where rn = 1`, keys: "id"},
		{name: "final passes a CTE through", sql: `with agg as (select day, sum(x) as total from t group by day), final as (select * from agg) select * from final`, keys: "day"},
		{name: "a join above the grain breaks it", sql: `with agg as (select k, sum(x) as s from t group by k) select a.k, a.s, b.y from agg a join b on a.k = b.k`, keys: "", join: "k"},
		{name: "union has no grain", sql: `select id from a union all select id from b`, keys: ""},
		{name: "surrogate key first", sql: `select md5(cast(a as varchar) || '-' || cast(b as varchar)) as row_key, a, b from t`, keys: "row_key"},
		{name: "surrogate key of a reference is no grain", sql: `select id, md5(cast(version as varchar)) as version_id from t`, keys: ""},
		{name: "case literals", sql: `select id, case when x > 1 then 'big' when x > 0 then 'small' else 'none' end as size from t`,
			lits: map[string]string{"size": "big,small,none"}, absent: "id"},
		{name: "case with a non-literal arm is no enum", sql: `select case when x then 'a' else y end as c from t`, absent: "c"},
		{name: "in filter", sql: `select id, status from t where status in ('open', 'closed')`,
			lits: map[string]string{"status": "open,closed"}, nn: "status"},
		{name: "not in is no filter of values", sql: `select status from t where status not in ('x', 'y')`, absent: "status"},
		{name: "is not null filter", sql: `select id, email from users where email is not null`, nn: "email"},
		{name: "or filters nothing for certain", sql: `select email from users where email is not null or x = 1`, absent: "email"},
		{name: "a negation filters nothing for certain", sql: `select email from users where not (email is not null)`, absent: "email"},
		{name: "coalesce to a literal", sql: `select coalesce(amount, 0) as amount from p`, nn: "amount"},
		{name: "coalesce of columns only may be null", sql: `select coalesce(a, b) as c from p`, absent: "c"},
		{name: "values that cannot be null", sql: `select x.id is not null as has_x, count(*) as n, row_number() over (order by id) as rn,
			case when a > 1 then 'big' else 'small' end as size, current_timestamp as loaded_at, iff(a, 1, 0) as a_flag
			from t left join x on t.id = x.id`, nn: "has_x,n,rn,size,loaded_at,a_flag", keys: "rn"},
		{name: "flags built from flags coalesced below", sql: `with f as (select coalesce(a, false) as a, coalesce(b, false) as b, c from t)
			select a and not b as only_a, a or c as a_or_c, (a) as a_again from f`, nn: "only_a,a_again", absent: "a_or_c"},
		{name: "a CASE without ELSE, a division, a constant may be null or say nothing",
			sql:    `select case when a then 'x' end as c1, n / 2 as half, 'fixed' as label, safe_cast(n as int) as m from (select count(*) as n, true as a from t) s`,
			absent: "c1,half,label,m"},
		{name: "inner join keys", sql: `select o.order_id, c.customer_id from orders o inner join customers c on o.customer_id = c.customer_id`, join: "customer_id"},
		{name: "left join keys are no evidence", sql: `select o.order_id, o.customer_id from orders o left join customers c on o.customer_id = c.customer_id`, absent: "customer_id"},
		{name: "broken SQL still gives what it can", sql: `select id, count(*) as n from t group by id having (`, keys: "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := readSignals(c.sql, "postgres")
			got := append([]string(nil), s.keys...)
			sort.Strings(got)
			if want := split(c.keys); !reflect.DeepEqual(got, want) {
				t.Errorf("keys = %v, want %v (%s)", got, want, s.keyWhy)
			}
			for col, vals := range c.lits {
				if g := strings.Join(s.literal[col], ","); g != vals {
					t.Errorf("literals of %s = %q, want %q", col, g, vals)
				}
			}
			for _, col := range split(c.nn) {
				if s.notNull[col] == "" && s.computedNotNull[col] == "" {
					t.Errorf("%s: no not-null evidence", col)
				}
			}
			for _, col := range split(c.join) {
				if !s.joinKey[col] {
					t.Errorf("%s: not seen as an inner-join key", col)
				}
			}
			for _, col := range split(c.absent) {
				if s.notNull[col] != "" || s.computedNotNull[col] != "" || len(s.literal[col]) > 0 || s.joinKey[col] {
					t.Errorf("%s: unexpected evidence: not null %q, literals %v, join %v", col, s.notNull[col], s.literal[col], s.joinKey[col])
				}
			}
		})
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ",")
	sort.Strings(out)
	return out
}

func TestNameKey(t *testing.T) {
	yes := [][2]string{{"dim_customers", "customer_id"}, {"stg_stripe__customers", "customer_id"}, {"stg_orders", "id"}, {"companies", "company_id"}, {"dim_address", "address_key"}, {"fct_stop_time_updates", "key"},
		{"orders_base", "order_id"}, {"core_fields_counties_base", "_airbyte_core_fields_counties_hashid"}, {"stg_hub__customers", "_dlt_customer_id"},
		{"stg_shop__customers", "id_customer"}, {"stg_erp__device", "iddevice"}, {"stg_erp__devices", "iddevice"},
		{"int_desk__ticket_enriched", "ticket_id"}, {"int_orders_deduped", "order_id"}, {"stg_events_unioned", "event_id"},
		{"stg_erp__location", "idlocation"}, {"stg_erp__products", "idproduct"}, {"dim_client", "id_client"},
		{"stg_erp__label_family", "idlabel_family"}, {"stg_erp__resources_type", "idresources_type"},
		{"stg_mongo__users", "_id"}, {"stg_littlepay__refunds", "_key"}}
	no := [][2]string{{"fct_orders", "customer_id"}, {"fct_active_servers", "server_id"}, {"stg_orders", "order_date"}, {"dim_customers", "customer_name"}, {"fct_trips", "feed_key"},
		{"orders_base", "_airbyte_raw_id"}, {"fct_orders", "_airbyte_customers_hashid"}, {"orders", "parent_orders_hashid"},
		{"stg_erp__visit", "iddevice"}, {"stg_erp__device", "iddevice_type"}, {"stg_erp__device", "idea"}, {"stg_x__customers", "id__customer"},
		{"int_desk__ticket_enriched", "enriched_id"}, {"int_orders_late", "order_id"},
		{"stg_erp__device", "idlocation"}, {"stg_erp__location", "idle_time"}, {"stg_erp__location", "id_"},
		{"stg_erp__label_family", "idlabel"}, {"dim_ideas", "identity"}, {"stg_littlepay__refunds", "_payments_key"}}
	for _, c := range yes {
		if !nameKey(c[0], c[1]) {
			t.Errorf("nameKey(%s, %s) = false, want true", c[0], c[1])
		}
	}
	for _, c := range no {
		if nameKey(c[0], c[1]) {
			t.Errorf("nameKey(%s, %s) = true, want false", c[0], c[1])
		}
	}
}

func TestParseHistory(t *testing.T) {
	log := `commit 1
diff --git a/models/_m.yml b/models/_m.yml
@@ -10,6 +10,8 @@ models:
       - name: order_id
         description: the order
+        tests:
+          - not_null
       - name: status
-        tests:
-          - accepted_values:
-              values: ['a']
commit 2
@@ -1,3 +1,6 @@
+      - name: brand_new
+        tests:
+          - unique
`
	h := parseHistory([]byte(log))
	if h.Added["order_id\x00not_null"] != 1 {
		t.Errorf("added not_null on an existing column not seen: %v", h.Added)
	}
	if h.Removed["status\x00accepted_values"] != 1 {
		t.Errorf("removed accepted_values not seen: %v", h.Removed)
	}
	if h.Added["brand_new\x00unique"] != 0 {
		t.Errorf("a test that came with a new column counted as added later")
	}
	if est, why := h.adjust("status", AcceptedValues, 0.8); est >= 0.8 || why == "" {
		t.Errorf("a removed pattern must weigh down: %v %q", est, why)
	}
	if est, _ := h.adjust("order_id", NotNull, 0.5); est <= 0.5 {
		t.Errorf("a test added later must weigh up: %v", est)
	}
}

// What the SQL says about nulls and row counts: the optional side of an outer join and a null
// placeholder may be null (unless a filter or a coalesce says otherwise, nearer the output);
// a chain of selects over one relation keeps its rows one for one, a join does not.
func TestSignalsNullsAndRows(t *testing.T) {
	cases := []struct {
		name, sql string
		nullable  string // columns that may be null, sorted
		preserves bool
	}{
		{name: "left join", sql: `select t.id, o.name as org_name, cast(o.region as varchar) as region from t left join orgs o on t.org_id = o.id`,
			nullable: "org_name,region"},
		{name: "right and full", sql: `select a.x, b.y from a right join b on a.k = b.k`, nullable: "x"},
		{name: "full", sql: `select a.x, b.y from a full outer join b on a.k = b.k`, nullable: "x,y"},
		{name: "inner is no optional side", sql: `select a.x, b.y from a join b on a.k = b.k`},
		{name: "coalesced", sql: `select t.id, coalesce(o.name, 'none') as org_name from t left join orgs o on t.org_id = o.id`},
		{name: "null placeholder", sql: `select id, cast(null as varchar) as platform, null as score from t`, nullable: "platform,score", preserves: true},
		{name: "computed nearer the output", sql: `with z as (select id, cast(null as varchar) as platform from t) select id, coalesce(platform, 'x') as platform from z`,
			preserves: true},
		{name: "passed through", sql: `with z as (select id, cast(null as varchar) as platform from t) select id, platform from z where id > 0`,
			nullable: "platform", preserves: true},
		{name: "union", sql: `select id from a union all select id from b`},
		{name: "group by", sql: `select k, count(*) as n from t group by k`},
		// A WHERE that compares the joined side drops the rows without a match: the join is
		// inner in effect. An OR, IS NULL, a coalesce around the column, or a comparison of
		// another relation leaves the side optional.
		{name: "where rejects nulls", sql: `select e.id, w.state, s.name, c.code, d.x, f.y from e left join w on e.w = w.id left join s on e.s = s.id
			left join c on e.c = c.id left join d on e.d = d.id left join f on e.f = f.id
			where w.voided != true and (s.kind in ('a', 'b')) and cast(c.n as int) between 1 and 3 and not d.x like 'z%' and f.ok is true`},
		{name: "where keeps nulls", sql: `select e.id, w.state, s.name, c.code, d.x from e left join w on e.w = w.id left join s on e.s = s.id
			left join c on e.c = c.id left join d on e.d = d.id
			where (w.voided != true or e.id > 0) and s.kind is null and coalesce(c.n, 0) = 0 and e.d > 1 and d.x is not true`,
			nullable: "code,name,state,x"},
	}
	for _, c := range cases {
		s := readSignals(c.sql, "duckdb")
		var got []string
		for k := range s.nullable {
			got = append(got, k)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != c.nullable {
			t.Errorf("%s: nullable %v, want %s", c.name, s.nullable, c.nullable)
		}
		if s.preserves != c.preserves {
			t.Errorf("%s: preserves %v, want %v", c.name, s.preserves, c.preserves)
		}
	}
}

// A GROUP BY name two select items answer to (a column read under an alias, an output named
// the same) names the same key on every run: the column read, first in the select.
func TestGroupByNameResolvedInSelectOrder(t *testing.T) {
	sql := "select t.id as order_id, max(t.seq) as id, count(*) as n from t group by id"
	for i := 0; i < 50; i++ {
		s := readSignals(sql, "postgres")
		if len(s.keys) != 1 || s.keys[0] != "order_id" {
			t.Fatalf("run %d: keys %v (%s)", i, s.keys, s.keyWhy)
		}
	}
}
