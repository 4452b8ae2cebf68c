select license_id, is_trial, status from {{ ref('stg_licenses') }}
