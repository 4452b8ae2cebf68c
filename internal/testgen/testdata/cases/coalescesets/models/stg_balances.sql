select
    balance_id,
    days,
    channel,
    case when days <= 30 then '0-30' when days <= 60 then '31-60' else '60+' end as aging_bucket
from {{ ref('raw_balances') }}
