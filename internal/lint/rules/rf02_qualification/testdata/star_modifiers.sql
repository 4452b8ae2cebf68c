-- dialect: snowflake
-- The names a star excludes or renames are the star's own columns: nothing to qualify.
select
    t.* exclude (a, b),
    u.* rename (c as d),
    e -- want: RF02
from t
inner join u on t.id = u.id
