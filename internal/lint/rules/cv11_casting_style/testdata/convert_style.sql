-- dialect: tsql
-- CONVERT with a style argument has no CAST form: it neither sets the style nor breaks it.
select
    convert(char(64), hashbytes('SHA2_256', b), 2) as b_hash,
    cast(a as int) as a_int,
    convert(int, c) as c_int -- want: CV11
from tbl
