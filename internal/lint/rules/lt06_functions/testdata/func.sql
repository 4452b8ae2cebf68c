select
    count (a) as n, -- want: LT06
    sum(b) as s,
    listagg(c, ', ') within group (order by c) as l,
    percentile_cont(0.5) within group (order by d) as m
from t
where exists (select 1)
