select 1 as id, 'A' as code, 2 as obs_key, current_date as t
