-- dialect: snowflake
-- EXCLUDE and RENAME after a star are clauses, not calls.
select
    t.* exclude (a),
    u.* rename (b as c),
    coalesce (x, 0) as y -- want: LT06
from t
inner join u on t.id = u.id
