-- options: force_enable=True
select o.x
from orders as o -- want: AL07
join customers as c on o.x = c.x -- want: AL07
