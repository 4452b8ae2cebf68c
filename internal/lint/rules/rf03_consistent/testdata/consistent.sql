-- The first inconsistent reference reports every unqualified reference of the select, then itself.
select
    x, -- want: RF03
    t.y, -- want: RF03
    z -- want: RF03
from t
