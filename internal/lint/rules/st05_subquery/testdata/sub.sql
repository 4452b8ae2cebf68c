select a.x
from t as a
join (select x from u) as b on a.x = b.x -- want: ST05
