select
    {{ ok }} as a,
    {{bad}} as b, -- want: JJ01
    {%- if x -%} 1 {%- endif %} as c
from t
