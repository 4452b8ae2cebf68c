-- dialect: snowflake
-- Snowflake's own keywords, not the words other dialects reserve.
select
    a as exception,
    b as attribute,
    c as comments,
    d as new,
    e as day,
    f as warehouse, -- want: RF04
    g as name, -- want: RF04
    h as stage -- want: RF04
from t
