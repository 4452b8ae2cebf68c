select id, cast(active as boolean) as is_active_c, cast(deleted as boolean) as is_deleted_c from {{ ref('raw') }}
