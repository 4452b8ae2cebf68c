select
    a,
      b, -- want: LT02
	c, -- want: LT02
    d
from t
