select a.x
from t as a
join u as b on a.x = b.x -- want: AM05
inner join v as c on a.x = c.x
