select id, cast(active as integer) as has_activity_z, cast(deleted as integer) as was_deleted_z from {{ ref('raw') }}
