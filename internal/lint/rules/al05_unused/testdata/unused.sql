select t1.x
from t as t1
join u as u1 on t1.x = 1 -- want: AL05
