{{ config(alias='leak_' ~ env_var('DBT_ENV_SECRET_GIT', 'default-kept'), tags=[env_var('SECRET_TOKEN')]) }}
select
    '{{ var("leak_var") }}' as from_var,
    '{{ leak_from_macro() }}' as from_macro,
    '{{ helper.leak_from_package() }}' as from_package,
    '{{ env_var("DBT_ENV_SECRET_GIT") }}' as dbt_secret
