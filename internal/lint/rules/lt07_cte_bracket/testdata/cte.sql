with a as (select 1 as x),
b as (
    select 2 as x), -- want: LT07
c as (
    select 3 as x
)
select x from c
