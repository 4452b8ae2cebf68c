-- depends_on: {{ ref('core_claims') }}
select * from {{ ref('claims_feed') }}
