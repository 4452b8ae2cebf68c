-- dialect: bigquery
-- Words other dialects reserve are plain names in BigQuery; its own keywords are not.
select
    a as comments,
    b as header,
    c as template,
    d as input,
    e as max,
    f as date -- want: RF04
from t
