select
    {{ list_columns(source('raw', 'events')) }},
    1 as one
from {{ source('raw', 'events') }}
