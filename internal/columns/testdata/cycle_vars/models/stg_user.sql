with base as (
    select * from {{ ref('stg_user_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_user_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as user_id,
    name as user_name,
    _fivetran_synced
from fields
