package jinja

import (
	"strings"
	"testing"
)

// Without fivetran_utils installed, a Fivetran staging model still selects its columns: the
// ones the source is known to have by name, the others as typed nulls, aliases kept.
func TestMissingFivetranUtilsFallbacks(t *testing.T) {
	env := testEnv(t, nil)
	src := `{% set cols = [{"name": "id", "datatype": dbt.type_int()}, {"name": "Note", "datatype": dbt.type_string(), "alias": "note_text"}, {"name": "order", "datatype": dbt.type_string(), "quote": true}] %}
select
    {{ fivetran_utils.fill_staging_columns(source_columns=adapter.get_columns_in_relation(ref('tmp')), staging_columns=cols) }}
    {{ fivetran_utils.source_relation(union_schema_variable='s', union_database_variable='d') }}
from base
{{ fivetran_utils.string_agg('a', "','") }}`
	res := render(t, env, src, func(in *Input) {
		in.Columns = func(Relation) ([]Column, bool) { return []Column{{Name: "ID"}, {Name: "other"}}, true }
	})
	want := `
select
    id as id,
    cast(null as TEXT) as note_text,
    cast(null as TEXT) as "order"
    , cast('' as TEXT) as source_relation
from base
string_agg(a, ',')`
	if res.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", res.Output, want)
	}
	w := warnings(res, "unknown-macro")
	if len(w) != 3 || !strings.Contains(w[0].Message, "fivetran_utils.fill_staging_columns") || w[0].Pos.Line != 3 {
		t.Errorf("each stand-in is still reported at its call: %+v", w)
	}
}
