package jinja

import (
	"strings"
	"testing"
)

// A time spine or a union of relations renders SQL without dbt_utils or dbt_date installed:
// the column it names (date_<datepart>) and the relations it reads survive.
func TestMissingPackageSpinesAndUnions(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, `{{ dbt_utils.date_spine(datepart="month", start_date="cast('2020-01-01' as date)", end_date="current_date") }}`)
	for _, want := range []string{") as date_month", "where date_month <= current_date", "select * from filtered", "cast('2020-01-01' as date)"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("date_spine lacks %q:\n%s", want, res.Output)
		}
	}
	if w := warnings(res, "unknown-macro"); len(w) != 1 || !strings.Contains(w[0].Message, "without a warehouse") {
		t.Errorf("the stand-in is reported: %+v", w)
	}
	res = render(t, env, `{{ dbt.date_spine("day", "'2020-01-01'", "'2021-01-01'") }}`)
	if !strings.Contains(res.Output, ") as date_day") || len(warnings(res, "unknown-macro")) != 0 {
		t.Errorf("dbt.date_spine is dbt's own: %q %+v", res.Output, warnings(res, "unknown-macro"))
	}
	res = render(t, env, `with days as ({{ dbt_date.get_base_dates(n_dateparts=365*10, datepart="day") }}) select * from days`)
	if !strings.Contains(res.Output, "cast(d.date_day as timestamp) as date_day") || !strings.Contains(res.Output, "-1 * 3650") {
		t.Errorf("get_base_dates:\n%s", res.Output)
	}

	res = render(t, env, `{{ dbt_utils.union_relations(relations=[ref('a'), ref('b')], exclude=['_loaded_at']) }}`)
	want := "(\nselect\n    cast('a' as TEXT) as _dbt_source_relation,\n    * exclude (_loaded_at)\nfrom a\n)\n\nunion all by name\n\n(\nselect\n    cast('b' as TEXT) as _dbt_source_relation,\n    * exclude (_loaded_at)\nfrom b\n)"
	if res.Output != want {
		t.Errorf("union_relations\n got: %q\nwant: %q", res.Output, want)
	}
	if len(res.Refs) != 2 {
		t.Errorf("both refs are recorded: %+v", res.Refs)
	}

	res = render(t, env, `with d as ({{ dbt_utils.deduplicate(relation=ref('a'), partition_by="id", order_by="updated_at desc") }}) select * from d`)
	for _, want := range []string{"row_number() over (partition by id order by updated_at desc) as rn", "select distinct data.*\nfrom a as data"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("deduplicate lacks %q:\n%s", want, res.Output)
		}
	}
}
