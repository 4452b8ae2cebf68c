select id as user_id, email, plan from {{ ref('raw_users') }}
