select
    a.x,
    b.y -- want: RF01
from t as a
;

-- IS [NOT] DISTINCT FROM compares; its FROM starts no clause.
select
    requests.reference,
    categories.category
from requests
left join categories
    on requests.motif is not distinct from categories.motif
where categories.category is distinct from 'x'
