select *
from {{ var('sprint') }}
