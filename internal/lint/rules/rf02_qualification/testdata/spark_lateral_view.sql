-- dialect: sparksql
-- LATERAL VIEW explode(...) AS k, v names the columns it adds: no second table, and the
-- comma between the names starts no FROM item.
select
    _id,
    key as currency_pair,
    value.rate as rate
from quotes
lateral view explode(currency_rates) as key, value
