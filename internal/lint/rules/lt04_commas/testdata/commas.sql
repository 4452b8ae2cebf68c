select
    a,
    b
    , c -- want: LT04
from t
