select code as c_id, name from {{ ref('raw') }}
