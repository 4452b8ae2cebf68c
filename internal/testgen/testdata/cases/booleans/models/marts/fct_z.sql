select id, cast(active as boolean) as has_activity_z, cast(deleted as boolean) as was_deleted_z from {{ ref('raw') }}
