select id, cast(active as integer) as is_archived, cast(deleted as boolean) as is_removed from {{ ref('raw') }}
