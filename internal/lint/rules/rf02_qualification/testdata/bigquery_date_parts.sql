-- dialect: bigquery
-- WEEK(MONDAY) and the unit after INTERVAL (n) are date parts: no columns to qualify.
select
    o.order_id,
    date_trunc(o.d, week (monday)) as week_start,
    last_day(o.d, week(sunday)) as week_end,
    extract(week(monday) from o.d) as wk,
    date_add(o.d, interval (o.lag_days - 1) day) as due_date,
    lag_days -- want: RF02
from orders as o
inner join cal as c on o.id = c.id
