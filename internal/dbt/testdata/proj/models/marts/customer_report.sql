select * from {{ ref('customers') }} join {{ ref('customers', v=1) }} using (customer_id) join {{ ref('util_model') }} on true
