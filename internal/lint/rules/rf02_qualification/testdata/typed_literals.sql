-- dialect: snowflake
-- DATE '...' and TIMESTAMP '...' are typed literals, whatever brackets or operators stand
-- before them: no column to qualify.
select a.x
from a
inner join b on a.id = b.id
where
    a.d = date '2024-01-01'
    and a.e between '2024-01-01' and (TIMESTAMP '2024-02-01 00:00:00')
    and a.f = (Date '2024-03-01')
    and date = a.g -- want: RF02
