select
    md5(cast(item_id as varchar) || cast(effective_date_start as varchar)) as assignment_key,
    item_id,
    effective_date_start as effective_start_date,
    effective_date_end as effective_end_date
from {{ source('raw', 'assignments') }}
