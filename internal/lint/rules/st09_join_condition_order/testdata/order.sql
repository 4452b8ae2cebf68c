select a.x
from t as a
join u as b on b.x = a.x -- want: ST09
join v as c on a.x = c.x
