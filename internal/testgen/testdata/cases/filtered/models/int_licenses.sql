select license_id, tier, status from {{ ref('stg_licenses') }}
