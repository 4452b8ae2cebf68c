select id, cast(active as boolean) as is_flagged from {{ ref('raw') }}
