-- options: max_line_length=40
select
    short_column,
    a_really_long_column_name_that_keeps_going, -- want: LT05
    b
from t
