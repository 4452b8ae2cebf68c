select ticket_id, cast(null as varchar) as platform from {{ ref('raw_tickets') }}
