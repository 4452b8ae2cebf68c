select 1 as "{{ env_var('SECRET_TOKEN') }}", 2 as id_{{ env_var('GITHUB_TOKEN') | replace('-','_') }}
