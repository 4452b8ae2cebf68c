select id as user_id, username from {{ ref('raw_app_users') }}
