-- A name the select list defines (b, c) is no column of the table: SQLFluff 1.4.5 never
-- reports it, though it still counts for the select's style.
select
    src.a as b,
    b + 1 as c
from src
where c > 1;

select
    b + 1 as c,
    src.a as b, -- want: RF03
    src.d
from src;

select
    a as b, -- want: RF03
    src.b as c -- want: RF03
from src
