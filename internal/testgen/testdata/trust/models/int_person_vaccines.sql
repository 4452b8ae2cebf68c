select
    person_id
    , vaccine_code
    , min(administered_at) as first_administered_at
    , count(*) as dose_count
from {{ ref('raw_immunizations') }}
group by person_id, vaccine_code
