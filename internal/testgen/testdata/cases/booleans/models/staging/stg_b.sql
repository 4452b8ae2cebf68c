select id, cast(active as boolean) as is_active_b, cast(deleted as boolean) as is_deleted_b from {{ ref('raw') }}
