select
    a.x,
    b.y -- want: RF01
from t as a
