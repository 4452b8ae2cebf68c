select id, cast(active as boolean) as is_active_d, cast(deleted as boolean) as is_deleted_d from {{ ref('raw') }}
