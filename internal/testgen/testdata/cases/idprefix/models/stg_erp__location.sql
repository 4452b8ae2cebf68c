select
    cast(idlocation as integer) as idlocation,
    label,
    city
from {{ ref('erp_locations') }}
