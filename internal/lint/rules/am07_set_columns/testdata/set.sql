select a, b from t
union all -- want: AM07
select a from u
