with sessions as (
    select * from {{ ref('stg_sessions') }}
)
select s.session_id, a.account_name
from sessions as s
inner join {{ ref('dim_accounts') }} as a on s.account_ref = a.account_id
