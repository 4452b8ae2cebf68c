{{ config(materialized='incremental', unique_key='hk_company') }}
select hk_company, company_id from {{ ref('stg_company') }}
