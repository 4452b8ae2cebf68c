with base as (
    select * from {{ ref('stg_comment_tmp') }}
),

fields as (
    select
        {{ fill_staging_columns(adapter.get_columns_in_relation(ref('stg_comment_tmp')), ['id', 'name', '_fivetran_synced']) }}
    from base
)

select
    id as comment_id,
    name as comment_name,
    _fivetran_synced
from fields
