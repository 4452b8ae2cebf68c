select client_id, client_name from {{ ref('stg_south__clients') }}
