select account_id, account_name from {{ ref('raw_accounts') }}
