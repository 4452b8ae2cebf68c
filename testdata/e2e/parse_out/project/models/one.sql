{{ config(materialized='table', schema='analytics') }}
select 1 as id
