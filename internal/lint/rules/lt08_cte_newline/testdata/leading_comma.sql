-- A comma on a line of its own between CTEs is passed over, and its line counts as blank: no
-- finding after a, nor after b (blank line after the comma); c follows b's bracket directly.
with a as (
    select 1 as x
)
,
b as (
    select x from a
)
,

c as (
    select x from b
)
, d as ( -- want: LT08
    select x from c
)

select x from d
