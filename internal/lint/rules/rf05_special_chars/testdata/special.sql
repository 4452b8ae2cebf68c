select
    a as "with space", -- want: RF05
    b as plain
from t
