select a.x
from t a -- want: AL01
join u as b on a.x = b.x
