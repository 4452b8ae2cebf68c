select
    a,b, -- want: LT01
    c , d, -- want: LT01
    count(*)::int as e,
    (a+b) as f, -- want: LT01
    a  as g, -- want: LT01
    -1 as h,
    x in (1, 2) as i,
    'a' || 'b' as j,
    ( a ) as k, -- want: LT01
    a >= 1 as l,
    a.b as m -- a comment   after code
from t
join u using(id) -- want: LT01
where a = 1  -- two spaces before a comment are fine
