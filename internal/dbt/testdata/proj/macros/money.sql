{% macro money(col) -%}
  ({{ col }} / 100.0)
{%- endmacro %}
