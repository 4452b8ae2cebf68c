select
    a as a, -- want: AL09
    b as c
from t
