select issue_id, sprint_id as linked_sprint_id
from {{ source('raw', 'issue_history') }}
