select *
from {{ var('status') }}
