with stg as -- want: LT01
( -- want: LT01
    select a from t
),

other as (
    select a from stg
)

select a from other
