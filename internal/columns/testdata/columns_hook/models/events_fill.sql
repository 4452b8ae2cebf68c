{%- set have = adapter.get_columns_in_relation(source('raw', 'events')) | map(attribute='name') | list %}
select
{%- for c in ['event_id', 'kind'] %}
    {% if c in have %}{{ c }}{% else %}cast(null as text){% endif %} as {{ c }}{% if not loop.last %},{% endif %}
{%- endfor %}
from {{ source('raw', 'events') }}
