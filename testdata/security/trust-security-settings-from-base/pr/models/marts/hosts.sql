select order_id as "{{ env_var('INTERNAL_HOST') }}"
from {{ ref('stg_orders') }}
