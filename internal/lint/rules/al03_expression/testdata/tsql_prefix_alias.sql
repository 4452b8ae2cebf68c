-- dialect: tsql
select
    total = a + b,
    [Full Name] = first_name + ' ' + last_name,
    top_value = 1,
    a + b -- want: AL03
from tbl
