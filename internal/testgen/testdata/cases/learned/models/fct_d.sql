select d_id, created_at, updated_at, amount from {{ ref('src_d') }}
