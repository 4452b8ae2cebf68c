select
    md5(cast(payment_id as varchar) || '-' || source_system) as payment_key,
    payment_id,
    source_system,
    parent_id,
    amount
from (select id as payment_id, 'shop' as source_system, parent_id, 1.0 as amount from {{ ref('raw_accounts') }}) p
