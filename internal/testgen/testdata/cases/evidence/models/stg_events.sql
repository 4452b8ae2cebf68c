select
    event_id,
    feed_key,
    case when kind = 1 then 'click' when kind = 2 then 'view' end as event_type,
    source_code
from {{ ref('raw_events') }}
