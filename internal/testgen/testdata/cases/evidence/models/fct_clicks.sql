select event_id, event_type from {{ ref('stg_events') }}
