with base as (
    select * from {{ ref('stg_status_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_status_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as status_id,
    name as status_name,
    _fivetran_synced
from fields
