select a, b
from t
group by a, 2 -- want: AM06
