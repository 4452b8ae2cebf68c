select
    '{{ env_var("DBT_TARGET_LABEL") }}' as label,
    '{{ env_var("DBT_ENV_SECRET_PASSWORD") }}' as secret,
    '{{ env_var("DBT_ENV_SECRET_PASSWORD", "fallback") }}' as with_default
