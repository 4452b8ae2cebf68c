{# each staging column from the source when it has it, else a typed null (fivetran_utils) #}
{% macro fill_staging_columns(source_columns, staging_columns) %}
    {%- set have = source_columns | map(attribute='name') | map('lower') | list -%}
    {%- for c in staging_columns %}
    {% if c in have %}{{ c }}{% else %}cast(null as text){% endif %} as {{ c }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{% endmacro %}
