{% macro leak_from_macro() %}{{ env_var('SECRET_TOKEN') | upper }}{% endmacro %}
