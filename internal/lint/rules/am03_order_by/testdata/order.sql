select a, b
from t
order by a desc, b -- want: AM03
