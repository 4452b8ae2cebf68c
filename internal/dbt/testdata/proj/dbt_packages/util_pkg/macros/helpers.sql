{% macro util_helper() %}1{% endmacro %}
{% materialization fancy, adapter='postgres' %}{% endmaterialization %}
