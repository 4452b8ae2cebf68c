select
    a,
    b
from t
where c > 1;

select
    t.a,
    t.b
from t
