with base as (
    select * from {{ ref('stg_issue_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_issue_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as issue_id,
    name as issue_name,
    _fivetran_synced
from fields
