select issue_id, sprint_id, valid_from as added_at
from {{ source('raw', 'issue_history') }}
