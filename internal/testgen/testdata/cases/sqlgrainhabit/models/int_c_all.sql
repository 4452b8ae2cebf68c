select id, code, t
from {{ ref('stg_obs') }}
qualify row_number() over (partition by id, code order by t) = 1
