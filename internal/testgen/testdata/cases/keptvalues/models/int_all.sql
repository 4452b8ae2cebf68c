select id, direction from {{ ref('stg_comms') }}
