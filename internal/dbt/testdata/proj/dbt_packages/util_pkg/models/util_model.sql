{{ config(enabled=var('util_enabled')) }}
select * from {{ ref('stg_customers') }}
