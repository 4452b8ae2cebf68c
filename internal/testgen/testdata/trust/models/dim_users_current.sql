select user_id, email, valid_from, valid_to from {{ ref('raw_user_history') }} where valid_to is null
