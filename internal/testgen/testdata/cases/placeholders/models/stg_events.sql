select
    {{ fill_columns(source('raw', 'events'), ['event_id', 'kind']) }}
from {{ source('raw', 'events') }}
