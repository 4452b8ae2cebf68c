select
    a
    + b as c,
    a + -- want: LT03
    b as d
from t
where a = 1 and -- want: LT03
    b = 2
    or c = 3
