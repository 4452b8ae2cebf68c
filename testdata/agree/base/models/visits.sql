select visitor_id, page
from {{ ref('raw_visits') }}
