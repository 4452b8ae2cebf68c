-- In ANSI, UNNEST is a table like any other.
select
    x, -- want: RF02
    d -- want: RF02
from orders as o
cross join unnest(o.dates) as d
