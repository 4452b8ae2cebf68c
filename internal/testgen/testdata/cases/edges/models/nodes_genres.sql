select a as node_id, b as label from {{ ref('raw') }}
