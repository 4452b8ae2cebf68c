select b_id, name from {{ ref('stg_b') }}
