select
    ifnull(a, 0) as a, -- want: CV02
    coalesce(b, 0) as b
from t
