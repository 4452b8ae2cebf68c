select ticket_id, customer_id, agent_id, channel, subject from {{ ref('raw_tickets') }}
