select * from {{ ref('raw_medical_claims') }}
