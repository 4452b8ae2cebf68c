select
    a::int as a,
    cast(b as int) as b -- want: CV11
from t
