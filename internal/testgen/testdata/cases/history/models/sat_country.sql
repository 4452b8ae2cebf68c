{{ config(materialized='incremental', unique_key='hk_country', incremental_strategy='append') }}
select hk_country, country_id as name, current_timestamp as load_date from {{ ref('hub_country') }}
