-- dialect: bigquery
select * except (a)
from t
