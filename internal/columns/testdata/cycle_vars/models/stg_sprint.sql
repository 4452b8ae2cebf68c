with base as (
    select * from {{ ref('stg_sprint_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_sprint_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as sprint_id,
    name as sprint_name,
    _fivetran_synced
from fields
