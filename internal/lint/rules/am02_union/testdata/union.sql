select a from t
union -- want: AM02
select a from u
union all
select a from v
