{{ config(materialized='incremental', unique_key='hk_country') }}
select md5(cast(country_id as varchar)) as hk_country, country_id from {{ source('raw', 'country') }}
