select
    null as a,
    TRUE as b -- want: CP04
from t
