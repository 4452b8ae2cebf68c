select 1
from t -- want: LT12