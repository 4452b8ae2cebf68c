-- dialect: bigquery
select
    `a` as x, -- want: RF06
    `needs-quote` as y,
    `date`, -- want: RF06
    `access`, -- want: RF06
    `select`,
    `hash`
from t
