select a as source_id, b as target_id from {{ ref('raw') }}
