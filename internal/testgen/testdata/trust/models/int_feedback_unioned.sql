with zendesk as (
    select * from {{ ref('stg_zendesk_tickets') }}
)
select ticket_id, platform from zendesk
