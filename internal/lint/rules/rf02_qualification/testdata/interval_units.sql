-- dialect: sparksql
-- The unit an INTERVAL spells out is no column, whatever follows it.
select a.x
from a
inner join b
    on a.t >= b.s + interval 5 hours
    and a.t < b.s + interval 1 day
    and hours > 1 -- want: RF02
