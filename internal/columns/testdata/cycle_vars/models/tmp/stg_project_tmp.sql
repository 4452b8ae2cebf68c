select *
from {{ var('project') }}
