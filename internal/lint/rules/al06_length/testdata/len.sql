-- options: min_alias_length=3
select abc.x
from t as abc
join u as b on abc.x = b.x -- want: AL06
