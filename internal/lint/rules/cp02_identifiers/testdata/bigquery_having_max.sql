-- dialect: bigquery
-- MAX / MIN after HAVING inside an aggregate are keywords, not names.
select
    k,
    any_value(name HAVING MAX ts) as latest_name,
    any_value(name having min Ts) as first_name -- want: CP02
from t
group by k
