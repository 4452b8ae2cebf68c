select
    case when race is null then 'unknown' else race end as a, -- want: ST02
    case when race is not null then race else 'unknown' end as b, -- want: ST02
    case when race > 1 then true else false end as c, -- want: ST02
    case when race is null then null else race end as d, -- want: ST02
    case
        when p.race is null then 'unknown' -- want: ST02
        else p.race
    end as race_display,
    case
        when fab > 0 then true -- want: ST02
        else false
    end as is_fab,
    case when race is null then 'x' else other end as e,
    case when race is null then 'x' when y then 'z' else race end as f,
    case when race is null then case when y then 1 end else race end as g -- want: ST02
from p
