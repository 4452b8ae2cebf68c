with a as (
    select 1 as x
),
b as ( -- want: LT08
    select 2 as x
),

c as (
    select 3 as x
)

select x from c
