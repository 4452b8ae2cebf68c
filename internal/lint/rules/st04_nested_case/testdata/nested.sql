select
    case -- want: ST04
        when a then 1
        else
            case
                when b then 2
                else 3
            end
    end as x
from t
