with events as (
    select * from {{ ref('stg_events') }}
)
select
    event_id,
    feed_key,
    first_value(event_type) over (partition by event_id order by event_id) as event_type
from events
