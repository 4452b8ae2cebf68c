with enrollments as (
    select
        user_id
        , course_id
        , md5(cast(user_id as varchar) || '-' || cast(course_id as varchar)) as learner_course_pk
        , enrolled_at
    from {{ ref('raw_enrollments') }}
)
select * from enrollments
where learner_course_pk is not null
