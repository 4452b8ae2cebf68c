select -- want: LT10
    distinct a
from t;

select distinct
    a
from t;
