with base as (
    select * from {{ ref('stg_accounts_tmp') }}
)
select
    {{ fill_columns(ref('stg_accounts_tmp'), ['account_id', 'name']) }}
from base
