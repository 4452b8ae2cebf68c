select claim_id, claim_status, payment_type, kind, region
from {{ ref('stg_claims') }}
