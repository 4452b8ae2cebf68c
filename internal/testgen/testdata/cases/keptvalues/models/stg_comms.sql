select id, direction from {{ ref('raw_comms') }}
