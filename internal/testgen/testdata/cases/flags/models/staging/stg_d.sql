select id, cast(active as integer) as is_active_d, cast(deleted as integer) as is_deleted_d from {{ ref('raw') }}
