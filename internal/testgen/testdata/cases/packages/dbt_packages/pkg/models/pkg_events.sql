{{ config(materialized='incremental', unique_key='event_id') }}
select event_id, event_type from raw.pkg.events
