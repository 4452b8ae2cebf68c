select id, code_type from {{ ref('raw_codes') }}
