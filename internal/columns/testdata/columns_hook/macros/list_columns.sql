{# the select list of a relation, minus some columns: asks the warehouse for the columns #}
{% macro list_columns(relation, except=[]) %}
    {%- set names = [] -%}
    {%- for col in adapter.get_columns_in_relation(relation) -%}
        {%- if col.name | lower not in except -%}{%- do names.append(col.quoted) -%}{%- endif -%}
    {%- endfor -%}
    {{- names | join(', ') -}}
{% endmacro %}

{# lists columns only when executing, as dbt_utils.get_filtered_columns_in_relation does #}
{% macro executed_columns(relation) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {{ return(list_columns(relation, except=['amount'])) }}
{% endmacro %}
