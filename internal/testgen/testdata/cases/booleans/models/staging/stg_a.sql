select id, cast(active as boolean) as is_active_a, cast(deleted as boolean) as is_deleted_a from {{ ref('raw') }}
