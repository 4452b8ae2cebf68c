select key, name from {{ ref('raw_feeds') }}
