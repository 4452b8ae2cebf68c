select c_id, name from {{ ref('stg_c') }}
