select id as user_id, login from {{ ref('raw_logins') }}
