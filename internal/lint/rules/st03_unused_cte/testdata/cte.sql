with used as (
    select 1 as x
),

unused as ( -- want: ST03
    select 2 as x
)

select x from used
