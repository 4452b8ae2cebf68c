select
    md5(cast(s.dbt_scd_id as varchar)) as position_key,
    s.title,
    s.dbt_valid_from as valid_from,
    s.dbt_valid_to as valid_to
from {{ source('raw', 'positions') }} as s
