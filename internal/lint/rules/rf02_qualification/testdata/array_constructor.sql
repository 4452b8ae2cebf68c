-- dialect: postgres
-- ARRAY[...] builds an array: no column to qualify.
select
    a.x,
    ARRAY[b.y] as ys,
    z -- want: RF02
from t as a
join u as b on a.x = b.x
