-- dialect: bigquery
-- UNNEST's alias names a value, not a table: with one table it is a single-table select, and
-- next to two tables the value needs no qualifier.
select
    x,
    d as cal_date
from orders as o
cross join unnest(generate_date_array(o.start_date, o.end_date)) as d;

select
    o.id,
    d,
    x -- want: RF02
from orders as o
inner join cal as c on o.id = c.id
cross join unnest(o.dates) as d
