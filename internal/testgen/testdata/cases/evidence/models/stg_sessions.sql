select session_id, account_ref, owner_ref, channel from {{ ref('raw_sessions') }}
