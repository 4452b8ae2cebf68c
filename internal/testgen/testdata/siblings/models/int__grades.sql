select grade_id, user_id, course_id from {{ ref('stg__app__grades') }}
