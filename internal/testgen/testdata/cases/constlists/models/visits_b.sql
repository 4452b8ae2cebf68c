select id, clinic_id, code_type from {{ ref('raw_visits') }}
