with a as (
    select x, y from t
)
select * from a;

select * from t; -- want: AM04

with b as (
    select * from t -- want: AM04
)
select * from b;

select * from (
    select * from t -- want: AM04
) as s
