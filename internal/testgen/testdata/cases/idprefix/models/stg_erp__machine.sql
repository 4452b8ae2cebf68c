select
    cast(idmachine as integer) as idmachine,
    cast(idlocation as integer) as idlocation,
    serial
from {{ ref('erp_machines') }}
