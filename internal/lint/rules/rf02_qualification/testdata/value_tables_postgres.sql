-- dialect: postgres
-- Postgres' GENERATE_SERIES is a value table function too.
select
    x,
    n
from orders as o
cross join generate_series(1, o.qty) as n
