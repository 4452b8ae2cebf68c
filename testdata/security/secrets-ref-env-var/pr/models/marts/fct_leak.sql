select * from {{ ref(env_var('SECRET_TOKEN')) }}
union all
select * from {{ ref('shop', env_var('GITHUB_TOKEN') | replace('-', '_')) }}
