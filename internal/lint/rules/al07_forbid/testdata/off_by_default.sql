select o.x
from orders as o
join customers as c on o.x = c.x
