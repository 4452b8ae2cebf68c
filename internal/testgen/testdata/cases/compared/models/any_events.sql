select event_id, period, region, amount
from {{ ref('raw_events') }}
where region = 'EU' or amount > 0 or period is null
