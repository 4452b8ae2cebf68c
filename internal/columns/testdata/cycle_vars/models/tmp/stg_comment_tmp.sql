select *
from {{ var('comment') }}
