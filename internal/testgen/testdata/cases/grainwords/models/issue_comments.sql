select issue_id, status as comment_body, valid_from as commented_at
from {{ source('raw', 'issue_history') }}
