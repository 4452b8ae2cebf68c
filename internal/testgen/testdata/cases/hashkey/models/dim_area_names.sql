select
    feed_key,
    area_name,
    area_id
from {{ ref('raw_areas') }}
qualify row_number() over (partition by feed_key, area_name order by line_number) = 1
