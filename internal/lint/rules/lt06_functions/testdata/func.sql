select
    count (a) as n, -- want: LT06
    sum(b) as s
from t
where exists (select 1)
