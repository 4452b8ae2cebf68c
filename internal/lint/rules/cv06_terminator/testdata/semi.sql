select a from t ; -- want: CV06
select b from u;
