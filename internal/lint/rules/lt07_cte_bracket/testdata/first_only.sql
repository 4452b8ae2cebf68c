with a as (
    select 1 as x), -- want: LT07

b as (
    select 2 as y)

select * from a, b
