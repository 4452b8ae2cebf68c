select claim_id, claim_status, payment_type, kind, region
from {{ ref('raw_claims') }}
