-- dialect: bigquery
select
    'a' as x,
    "b" as y -- want: CV10
from t
