{% set q = 'select * from ' ~ source('raw', 'events') %}
select {% for c in adapter.get_column_schema_from_query(q) %}{{ c.name }}, {% endfor %}1 as one
from {{ source('raw', 'events') }}
