select
    md5(cast(contract_id as varchar)) as contract_key,
    amount,
    valid_from,
    valid_to
from {{ source('raw', 'contracts') }}
