{{
    config(
        post_hook=[
            'grant select on {{this}} to role "x"',
            "alter table {{this}} set tag = 'a\"b'",
        ],
    )
}}
{# a commented {{tag}} is no tag #}
select
    {{ x ~ "}}" }} as a,
    {{y}} as b -- want: JJ01
from t
