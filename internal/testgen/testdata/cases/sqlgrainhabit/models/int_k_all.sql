select obs_key, code, t
from {{ ref('stg_obs') }}
qualify row_number() over (partition by obs_key, code order by t) = 1
