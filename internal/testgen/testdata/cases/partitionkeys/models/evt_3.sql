{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='block_number') }}
select block_number, tx_hash, event_index, amount
from {{ ref('raw_events') }}
{% if is_incremental() %}where block_number >= (select max(block_number) from {{ this }}){% endif %}
qualify row_number() over (partition by tx_hash, event_index order by block_number desc) = 1
