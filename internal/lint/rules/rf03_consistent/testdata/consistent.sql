select
    x,
    t.y -- want: RF03
from t
