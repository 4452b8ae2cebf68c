select code as a_id, name from {{ ref('raw') }}
