select a.x
from t as a
join u as a on a.x = a.y -- want: AL04
