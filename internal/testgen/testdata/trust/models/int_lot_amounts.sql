{{ config(materialized='table', indexes=[{'columns': ['parcel'], 'unique': True}, {'columns': ['amount']}]) }}
-- Postgres: the unique index the model declares is its key.
select amount, order_id as parcel from {{ ref('stg_payments') }}
