  select 1 -- want: LT13
from t
