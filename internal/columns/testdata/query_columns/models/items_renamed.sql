{% set q %}select s.*, 1 as batch from {{ ref('stg_items') }} s{% endset %}
with base as ({{ q }})
select
{% for col in get_column_schema_from_query('select * from (' ~ q ~ ') x') -%}
  {% if col.name == 'sku' %}b.sku as item_code{% else %}b.{{ col.name }}{% endif %}{% if not loop.last %},{% endif %}
{% endfor -%}
from base b
