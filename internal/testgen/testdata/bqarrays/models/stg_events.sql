select event_id, event_name, event_params from raw.ga4.events
