select id, operation, created_at from {{ ref('raw_payments') }}
