select
    tickets.ticket_id
    , organizations.organization_name
from {{ ref('raw_tickets') }} as tickets
left join {{ ref('raw_organizations') }} as organizations
    on tickets.organization_id = organizations.organization_id
where organizations.organization_name is not null
