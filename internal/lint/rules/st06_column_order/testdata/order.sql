select -- want: ST06
    a + 1 as b,
    c
from t;

select
    *,
    c,
    a + 1 as b
from t;
