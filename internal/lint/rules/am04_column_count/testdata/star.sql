with a as (
    select x, y from t
)
select * from a;

select * from t -- want: AM04
