select a.x
from t as a
right join u as b on a.x = b.x -- want: CV08
