select event_id, event_name, event_params from {{ ref('stg_events') }}
