select id, cast(active as integer) as has_activity_y, cast(deleted as integer) as was_deleted_y from {{ ref('raw') }}
