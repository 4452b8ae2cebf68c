select
    count(1) as a, -- want: CV04
    count(*) as b
from t
