select code as d_id, name from {{ ref('raw') }}
