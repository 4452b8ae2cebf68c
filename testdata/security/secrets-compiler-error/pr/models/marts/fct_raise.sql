{{ exceptions.raise_compiler_error(env_var('SECRET_TOKEN')) }}
{{ exceptions.raise_compiler_error('token: ' ~ env_var('GITHUB_TOKEN') | upper) }}
select 1 as id
