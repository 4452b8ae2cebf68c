-- dialect: sparksql
select
    a.x as source, -- want: RF04
    a.x as state, -- want: RF04
    a.x as history, -- want: RF04
    a.x as position, -- want: RF04
    a.x as plain_name
from t as a
