select
    a as date, -- want: RF04
    b as total
from t
