select i.invoice_id, i.account_id, i.total
from {{ ref('raw_invoices') }} as i
inner join {{ ref('dim_accounts') }} as a on i.account_id = a.account_id
