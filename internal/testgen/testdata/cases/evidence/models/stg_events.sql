select
    event_id,
    feed_key,
    case when kind = 1 then 'click' when kind = 2 then 'view' end as event_type,
    source_code,
    cast(null as varchar) as admission_poa,
    cast(null as varchar) as admission_poa_description
from {{ ref('raw_events') }}
