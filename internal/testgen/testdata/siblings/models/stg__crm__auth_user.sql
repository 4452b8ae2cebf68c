select id as user_id, username from {{ ref('raw_crm_users') }}
