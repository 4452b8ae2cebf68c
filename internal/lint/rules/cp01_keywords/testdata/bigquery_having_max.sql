-- dialect: bigquery
-- MAX / MIN after HAVING inside an aggregate are keywords, so their case is CP01's.
select
    k,
    any_value(name having max ts) as latest_name,
    any_value(name having MIN ts) as first_name -- want: CP01
from t
group by k
