select 4 as id
