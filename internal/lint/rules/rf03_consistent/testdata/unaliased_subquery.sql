select
    id,
    s.ctms as team_ts
from (select id, ctms from t as s)
