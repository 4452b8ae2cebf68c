select id, cast(active as boolean) as has_activity_x, cast(deleted as boolean) as was_deleted_x from {{ ref('raw') }}
