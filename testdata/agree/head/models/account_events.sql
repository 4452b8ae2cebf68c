select account_id, event_type
from {{ ref('raw_events') }}
