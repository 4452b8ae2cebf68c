with base as (
    select * from {{ ref('stg_project_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_project_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as project_id,
    name as project_name,
    _fivetran_synced
from fields
