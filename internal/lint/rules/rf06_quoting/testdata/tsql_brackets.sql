-- dialect: tsql
select
    [name], -- want: RF06
    [type], -- want: RF06
    [columns], -- want: RF06
    [key],
    [user],
    [order date]
from tbl
