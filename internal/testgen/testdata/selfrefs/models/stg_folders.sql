select id, parent_id, name from {{ ref('raw_accounts') }}
