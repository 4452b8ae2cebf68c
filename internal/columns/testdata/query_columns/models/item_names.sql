select {{ get_columns_in_query('select * from ' ~ ref('stg_items')) | join(', ') }}
from {{ ref('stg_items') }}
