select a, b -- want: LT09
from t;

select
    a,
    b
from t;

select a
from t;

select -- want: LT09
    a
from t;
