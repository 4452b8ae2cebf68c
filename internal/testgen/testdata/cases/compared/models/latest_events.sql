select event_id, period, loaded_at, region, amount
from {{ ref('raw_events') }}
where region = 'EU' and amount > 0
qualify loaded_at = max(loaded_at) over (partition by period)
