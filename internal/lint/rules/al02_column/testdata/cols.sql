select
    x y, -- want: AL02
    x as z
from t
