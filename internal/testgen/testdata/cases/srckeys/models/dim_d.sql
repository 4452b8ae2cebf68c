select d_id, name from {{ ref('stg_d') }}
