select
    case when a > 1 then true else false end as x, -- want: ST02
    case when a > 1 then 'y' else 'n' end as y
from t
