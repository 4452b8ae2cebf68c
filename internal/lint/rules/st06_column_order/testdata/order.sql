select -- want: ST06
    a + 1 as b,
    c
from t;

select
    *,
    c,
    a + 1 as b
from t;

select
    a,
    b + 1 as c,
    case when x then y::int end as d
from t;

select -- want: ST06
    a + 1 as b,
    c::int as d
from t;
