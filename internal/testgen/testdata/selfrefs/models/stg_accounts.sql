select id as account_id, parent_id as parent_account_id, name from {{ ref('raw_accounts') }}
