-- The row number is kept at 1 two selects above where it is computed: one row per issue.
with numbered as (
    select
        issue_id,
        status,
        row_number() over (partition by issue_id order by valid_from desc) as rn
    from {{ source('raw', 'issue_history') }}
),

renamed as (
    select issue_id, status, rn from numbered
)

select issue_id, status
from renamed
where rn = 1
