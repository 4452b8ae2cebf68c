-- SQLFluff 1.4.5 reads a select nested in a WITH's main query outside its FROM as one more
-- branch of that query and never checks it; a query in the main query's FROM, or a subquery
-- of a CTE, is checked. A query in the FROM of a later branch of a set operation is not.
with src as (select 1 as val)

select * from src
where val in (select val from tgt where tgt.x = 1)
    and exists (select s.val from (select val from tgt where tgt.x = 1) as s);

with src as (select val from s where val in (select val from tgt where tgt.x = 1)) -- want: RF03

select * from (select val from src where val in (select val from tgt where tgt.x = 1)) as s; -- want: RF03

select a from t
union all
select * from (select val from tgt where tgt.x = 1) as s
