select a from t union all select a from u -- want: LT11
;

select a from t
union all
select a from u
