select
    a,
    b,
    count(*) as n
from t
group by -- want: AM06
    a,
    2
order by -- want: AM06
    1,
    b
