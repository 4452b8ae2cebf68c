{{ config(materialized='incremental', unique_key=['courserun_pk', 'effective_date']) }}
select
    md5(platform || '-' || courserun_readable_id) as courserun_pk
    , courserun_readable_id
    , platform
    , title as courserun_title
    , current_timestamp as effective_date
    , true as is_current
from {{ ref('raw_course_runs') }}
