select a.x
from t as a
join u as b -- want: CV12
where a.x = b.x
