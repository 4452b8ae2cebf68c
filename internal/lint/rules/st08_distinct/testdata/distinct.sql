select distinct(a) -- want: ST08
from t
