{{ config(alias='claims_feed') }}
select claim_id, claim_type from {{ ref('raw_claims') }}
