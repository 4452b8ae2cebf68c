select license_id, is_trial, status, company, created_at from {{ ref('raw_licenses') }}
