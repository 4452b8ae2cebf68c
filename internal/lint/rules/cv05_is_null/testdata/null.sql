select a
from t
where a = null -- want: CV05
    or b is null
