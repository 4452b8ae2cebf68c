select
    count(a) as n,
    SUM(b) as s -- want: CP03
from t
