select
    case -- want: ST01
        when a then 1
        else null
    end as x
from t
