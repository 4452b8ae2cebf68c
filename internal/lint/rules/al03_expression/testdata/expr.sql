select
    a,
    a + 1, -- want: AL03
    b::int,
    (c),
    sum(d) as e
from t
