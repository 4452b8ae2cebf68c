-- dialect: bigquery
-- WEEK(MONDAY) is a date part and INTERVAL (n) DAY an interval: neither is a call.
select
    date_trunc(d, week (monday)) as week_start,
    date_add(d, interval (lag_days - 1) day) as due_date,
    count (a) as n -- want: LT06
from t
