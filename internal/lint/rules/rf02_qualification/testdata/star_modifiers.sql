-- dialect: snowflake
-- The names a star excludes or renames are the star's own columns: nothing to qualify, with
-- brackets or, for one column, without.
select
    t.* exclude (a, b),
    u.* rename (c as d),
    v.* exclude note,
    w.* exclude "GEOMETRY",
    x.* rename f as g,
    e -- want: RF02
from t
inner join u on t.id = u.id
inner join v on t.id = v.id
inner join w on t.id = w.id
inner join x on t.id = x.id
