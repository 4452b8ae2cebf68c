with b as (
    select balance_id, aging_bucket, channel from {{ ref('stg_balances') }}
)
select
    balance_id,
    coalesce(b.aging_bucket, case when balance_id > 100 then '0-30' else 'unknown' end) as aging_bucket,
    coalesce(b.channel, case when balance_id > 100 then 'web' else 'other' end) as channel
from b
