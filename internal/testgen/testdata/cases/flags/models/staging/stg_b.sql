select id, cast(active as integer) as is_active_b, cast(deleted as integer) as is_deleted_b from {{ ref('raw') }}
