select
    to_hex(md5(cast(marketplace_id as string))) as marketplace_sk,
    marketplace_id,
    marketplace_name
from {{ ref('stg_marketplaces') }}
