with day as (
    select 1 as x
),

source as (
    select 2 as y
)

select
    day.x,
    source.y as date -- want: RF04
from day, source
