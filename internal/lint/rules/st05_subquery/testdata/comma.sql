-- dialect: snowflake
-- A subquery after a comma is in the FROM clause, not a JOIN: left alone by default.
select s.id, e.created_at
from event_logs as s,
    lateral (select min(l.created_at) as created_at from event_logs as l where l.run_id = s.run_id) as e
join (select 1 as x) as j on j.x = s.id -- want: ST05
