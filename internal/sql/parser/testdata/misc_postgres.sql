/* nested /* comment */ still comment */
select
    payload->>'id' as id,
    payload #>> '{a,b}' as ab,
    E'tab\there' as esc,
    $fn$ body with 'quotes' $fn$ as body,
    x::numeric(10,2),
    array[1,2,3][1:2] as arr,
    lower(name) similar to '%(a|b)%' as sim,
    a is distinct from b as d,
    interval '1 day' + now() as tomorrow,
    date '2024-01-01' as d0,
    generate_series(1, 10) as g
from public."My Table" t
where t.id = any($1) and t.name ~* '^x';
insert into t (a, b) values (1, 'x'), (2, 'y') on conflict (a) do update set b = excluded.b;
