select
    tickets.ticket_id
    , tickets.title
    , organizations.organization_name
    , tickets.brand_name as platform
from {{ ref('raw_tickets') }} as tickets
left join {{ ref('raw_organizations') }} as organizations
    on tickets.organization_id = organizations.organization_id
