{{ config(materialized='incremental', unique_key=['line', 'account_id']) }}
select account_id, line, contact_date, 'N' as deleted_yn
from {{ source('raw', 'contacts') }}
