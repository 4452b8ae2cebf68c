select id, operation from {{ ref('stg_payments_deduped') }}
