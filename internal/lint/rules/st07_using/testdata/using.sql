select a.x
from t as a
join u as b using (x) -- want: ST07
