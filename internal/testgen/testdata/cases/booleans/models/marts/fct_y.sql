select id, cast(active as boolean) as has_activity_y, cast(deleted as boolean) as was_deleted_y from {{ ref('raw') }}
