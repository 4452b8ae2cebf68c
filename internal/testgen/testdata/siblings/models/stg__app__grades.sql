select id as grade_id, user_id, course_id from {{ ref('raw_app_grades') }}
