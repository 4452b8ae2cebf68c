select
    t.a,
    b, -- want: RF03
    t.c,
    d -- want: RF03
from t
where t.e > 1
