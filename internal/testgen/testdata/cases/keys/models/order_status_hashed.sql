{{ config(materialized='ephemeral') }}
select md5(cast(coalesce(cast(order_id as varchar), '') || '-' || coalesce(cast(status as varchar), '') as varchar)) as order_status_hash, tmp.* from {{ ref('stg_orders') }} as tmp
