select license_id, tier, status, company, created_at from {{ ref('raw_licenses') }}
