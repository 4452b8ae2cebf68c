-- dialect: bigquery
select
    `a` as x, -- want: RF06
    `needs-quote` as y
from t
