select
    a.x,
    y -- want: RF02
from t as a
join u as b on a.x = b.x
