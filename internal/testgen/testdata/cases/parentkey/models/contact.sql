select account_id, line, contact_date
from {{ ref('contact_base') }}
where deleted_yn = 'N'
