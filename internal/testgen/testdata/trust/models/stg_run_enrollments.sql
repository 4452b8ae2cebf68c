-- A re-enrollment after a hard delete leaves two rows per (user_id, run_id): the latest is kept.
with source as (
    select * from {{ ref('raw_run_enrollments') }}
)

, ranked as (
    select
        *
        , row_number() over (partition by user_id, run_id order by id desc) as row_num
    from source
)

select
    id as enrollment_id
    , user_id
    , run_id
    , enrolled_on
from ranked
where row_num = 1
