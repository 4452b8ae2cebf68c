select id, cast(active as integer) as has_activity_x, cast(deleted as integer) as was_deleted_x from {{ ref('raw') }}
