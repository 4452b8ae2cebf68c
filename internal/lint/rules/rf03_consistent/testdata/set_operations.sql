-- dialect: postgres
with source as (
    select
        participant_id, -- want: RF03
        p.family_id -- want: RF03
    from participant as p
    union
    select
        participant_id,
        p.family_id
    from participant as p
    union all (
        select
            q.participant_id,
            family_id -- want: RF03
        from participant as q
    )
)

select participant_id from source
