select
    a::int as a,
    b::VARCHAR as b -- want: CP05
from t
