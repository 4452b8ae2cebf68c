select id, cast(active as integer) as is_active_a, cast(deleted as integer) as is_deleted_a from {{ ref('raw') }}
