select a_id, name from {{ ref('stg_a') }}
