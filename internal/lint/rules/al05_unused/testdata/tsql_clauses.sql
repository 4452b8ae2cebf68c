-- dialect: tsql
select
    a,
    (
        select b + ','
        from tbl2
        for xml path('')
    ) as s
from tbl
cross apply (select tbl.c as x) as unused_d
option (maxrecursion 0)
