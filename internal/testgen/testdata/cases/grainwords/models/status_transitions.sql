-- Several rows per issue: each is numbered and compared with the one before it.
with changes as (
    select
        issue_id,
        status,
        valid_from,
        lag(status) over (partition by issue_id order by valid_from) as previous_status
    from {{ source('raw', 'issue_history') }}
),

numbered as (
    select
        issue_id,
        status,
        previous_status,
        valid_from as transition_at,
        row_number() over (partition by issue_id order by valid_from) as status_sequence
    from changes
    where previous_status is null or previous_status != status
)

select * from numbered
