package jinja

import (
	"strings"
	"testing"
)

// Without automate_dv installed, a stage reads its source model and makes its derived, hashed
// and ranked columns in the metadata's order; a hub, link or satellite selects its columns
// from its stage, a name given twice once; a hub or link keeps one row per key; hash() is a select item. Each call is still reported as an unknown macro.
func TestMissingAutomateDVFallbacks(t *testing.T) {
	env := testEnv(t, nil)
	stage := `{%- set yaml_metadata -%}
source_model: raw_orders
derived_columns:
  record_source: "!SHOP"
  load_date: loaded_at
hashed_columns:
  order_hk: order_id
  order_hashdiff:
    is_hashdiff: true
    columns:
      - status
      - amount
ranked_columns:
  dv_rank:
    partition_by: order_id
    order_by: loaded_at
{%- endset -%}
{% set m = fromyaml(yaml_metadata) %}
{{ automate_dv.stage(include_source_columns=true, source_model=m['source_model'], derived_columns=m['derived_columns'],
   null_columns=none, hashed_columns=m['hashed_columns'], ranked_columns=m['ranked_columns']) }}`
	res := render(t, env, stage)
	want := `WITH source_data AS (
    SELECT * FROM raw_orders
),
derived_columns AS (
    SELECT * EXCLUDE (record_source, load_date),
    'SHOP' AS record_source,
    loaded_at AS load_date
    FROM source_data
),
hashed_columns AS (
    SELECT * EXCLUDE (order_hk, order_hashdiff),
    md5(coalesce(cast(order_id as TEXT), '')) AS order_hk,
    md5(coalesce(cast(status as TEXT), '') || '||' || coalesce(cast(amount as TEXT), '')) AS order_hashdiff
    FROM derived_columns
),
ranked_columns AS (
    SELECT * EXCLUDE (dv_rank),
    RANK() OVER (PARTITION BY order_id ORDER BY loaded_at) AS dv_rank
    FROM hashed_columns
)
SELECT * FROM ranked_columns`
	if got := strings.TrimSpace(res.Output); got != want {
		t.Errorf("stage\n got: %s\nwant: %s", got, want)
	}
	if len(res.Refs) != 1 || res.Refs[0].Name != "raw_orders" {
		t.Errorf("the stage's source model is a ref: %+v", res.Refs)
	}
	if w := warnings(res, "unknown-macro"); len(w) != 1 || !strings.Contains(w[0].Message, "automate_dv.stage") {
		t.Errorf("the stand-in is still reported: %+v", w)
	}

	res = render(t, env, `{{ automate_dv.sat(src_pk='order_hk', src_hashdiff={'source_column': 'order_hashdiff', 'alias': 'hashdiff'},
  src_payload=['status', 'amount'], src_eff='effective_from', src_ldts='load_date', src_source='record_source', source_model='stg_orders') }}
{{ automate_dv.sat(src_pk='order_hk', src_hashdiff='order_hashdiff', src_payload=['status'], src_eff='load_date', src_ldts='LOAD_DATE', src_source='record_source', source_model='stg_orders') }}
{{ automate_dv.hub(src_pk='customer_hk', src_nk='customer_id', src_ldts='load_date', src_source='record_source', source_model=['stg_a', 'stg_b']) }}
{{ automate_dv.link('link_hk', ['order_hk', 'customer_hk'], 'load_date', 'record_source', {'raw': 'orders'}) }}
select {{ automate_dv.hash(columns=['a', 'b'], alias='ab_hk') }}, {{ automate_dv.hash('c', 'c_hk') }}`)
	want = `SELECT order_hk, order_hashdiff AS hashdiff, status, amount, effective_from, load_date, record_source FROM stg_orders
SELECT order_hk, order_hashdiff, status, load_date, record_source FROM stg_orders
SELECT customer_hk, customer_id, load_date, record_source FROM (
SELECT customer_hk, customer_id, load_date, record_source, ROW_NUMBER() OVER (PARTITION BY customer_hk ORDER BY load_date) AS dv_row_number
FROM (
SELECT customer_hk, customer_id, load_date, record_source FROM stg_a
UNION ALL
SELECT customer_hk, customer_id, load_date, record_source FROM stg_b
) AS dv_source
WHERE customer_hk IS NOT NULL
) AS dv_rows
WHERE dv_row_number = 1
SELECT link_hk, order_hk, customer_hk, load_date, record_source FROM (
SELECT link_hk, order_hk, customer_hk, load_date, record_source, ROW_NUMBER() OVER (PARTITION BY link_hk ORDER BY load_date) AS dv_row_number
FROM raw.orders
WHERE link_hk IS NOT NULL
) AS dv_rows
WHERE dv_row_number = 1
select md5(coalesce(cast(a as TEXT), '') || '||' || coalesce(cast(b as TEXT), '')) AS ab_hk, md5(coalesce(cast(c as TEXT), '')) AS c_hk`
	if got := strings.TrimSpace(res.Output); got != want {
		t.Errorf("tables\n got: %s\nwant: %s", got, want)
	}
	if len(res.Refs) != 4 || len(res.Sources) != 1 || res.Sources[0].Source != "raw" {
		t.Errorf("refs %+v, sources %+v", res.Refs, res.Sources)
	}
}
