select id, cast(active as boolean) as is_archived, extract(quarter from created_at) as created_quarter from {{ ref('raw') }}
