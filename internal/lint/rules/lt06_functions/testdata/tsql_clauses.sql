-- dialect: tsql
with cte as (
    select 1 as n
)

select
    cte.n,
    d.x,
    (
        select t2.b + ','
        from t2
        for xml path(''), type
    ) as s,
    count (*) as c -- want: LT06
from cte
cross apply (select cte.n as x) as d
outer apply (select 1 as y) as e
group by cte.n, d.x
option (maxrecursion 0)

select
    d.a,
    v.b
from (select 1 as x) as d (a)
cross apply (values (1)) as v (b)
