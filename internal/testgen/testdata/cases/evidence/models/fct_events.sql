select
    e.event_id,
    e.feed_key,
    coalesce(e.event_type, 'unknown') as event_type
from {{ ref('int_events') }} as e
