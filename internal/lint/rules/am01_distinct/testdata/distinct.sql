select distinct a -- want: AM01
from t
group by a
