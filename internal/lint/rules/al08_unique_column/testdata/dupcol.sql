select
    a,
    b as a -- want: AL08
from t
