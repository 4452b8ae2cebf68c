select id, cast(active as integer) as is_active_c, cast(deleted as integer) as is_deleted_c from {{ ref('raw') }}
