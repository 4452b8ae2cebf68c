-- dialect: tsql
-- CONVERT with a style argument has no CAST form: it is never reported, but as the first
-- cast of the file it sets the style.
select
    convert(char(64), hashbytes('SHA2_256', b), 2) as b_hash,
    cast(a as int) as a_int, -- want: CV11
    convert(int, c) as c_int,
    convert(varchar(10), d, 120) as d_text
from tbl
