select code as b_id, name from {{ ref('raw') }}
