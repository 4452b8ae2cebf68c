select
    a,
    b, -- want: CV03
from t
