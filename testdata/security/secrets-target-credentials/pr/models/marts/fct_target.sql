select
    '{{ target.password }}' as pw,
    '{{ target["token"] }}' as tok,
    '{{ target.get("private_key") }}' as pk,
    '{{ target.api_key }}' as api,
    '{{ target | tojson }}' as whole,
    1 as {{ "id_" ~ target.password | replace('-', '_') }}
