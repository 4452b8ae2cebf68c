-- options: single_table_references=qualified
select
    t.a,
    b -- want: RF03
from t
