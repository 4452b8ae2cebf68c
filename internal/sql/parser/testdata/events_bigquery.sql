# Sessionised events
with events as (
  select
    user_pseudo_id,
    event_name,
    timestamp_micros(event_timestamp) as event_at,
    (select value.int_value from unnest(event_params) where key = 'ga_session_id') as session_id,
    `project-1.analytics_123.events_*`.geo.country as country,
    safe_cast(ecommerce.purchase_revenue as numeric) as revenue,
    struct(device.category as category, device.os as os) as device,
    array<string>['a', "b", r'\d+', '''tri
ple'''] as tags
  from `project-1.analytics_123.events_*`
  where _table_suffix between format_date('%Y%m%d', date_sub(current_date(), interval 7 day))
                          and format_date('%Y%m%d', current_date())
)
select * except (tags) replace (upper(country) as country)
from events e
cross join unnest(e.tags) as tag with offset as pos
where e.event_name in unnest(@names)
window w as (partition by user_pseudo_id order by event_at)
