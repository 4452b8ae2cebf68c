select id, cast(active as boolean) as is_open, cast(deleted as boolean) as was_closed from {{ ref('raw') }}
