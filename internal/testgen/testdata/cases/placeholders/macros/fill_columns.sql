{# each wanted column, selected when the relation has it, else a typed null (as
   fivetran_utils.fill_staging_columns does) #}
{% macro fill_columns(relation, wanted) %}
    {%- set have = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for c in wanted %}
    {% if c in have %}{{ c }}{% else %}cast(null as text){% endif %} as {{ c }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{% endmacro %}
