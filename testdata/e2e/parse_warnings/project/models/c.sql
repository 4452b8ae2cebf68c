select *
from {{ ref('missing_model') }}
join {{ source('raw', 'nowhere') }} using (id)
