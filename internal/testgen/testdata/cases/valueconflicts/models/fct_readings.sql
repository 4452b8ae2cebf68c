select r.id, r.band
from {{ ref('int_readings') }} as r
