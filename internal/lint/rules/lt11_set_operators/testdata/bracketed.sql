with source as (
    (
        select x from a
    )
    union all( -- want: LT11
        select x from b
    )
    union ( -- want: LT11
        select x from c
    )
    union
    (
        select x from d
    )
)

select * except (x) from source
