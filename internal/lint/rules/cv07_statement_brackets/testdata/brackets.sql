(select a from t) -- want: CV07
