select
    ticket_id,
    case when priority_code = 1 then 'high' when priority_code = 2 then 'medium' else 'low' end as priority,
    channel
from {{ ref('raw_tickets') }}
where channel in ('email', 'chat')
