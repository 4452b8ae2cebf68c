select id as course_id, title from {{ ref('raw_app_courses_course') }}
