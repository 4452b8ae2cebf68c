-- Each ERROR comment follows the token an error must point at; unmarked lines must parse.
select a, b from t;
select a + from /* ERROR "expected expression" */ t;
select a b c /* ERROR "expected , or FROM after select item" */ , d from t;
select case when a then b from /* ERROR "expected END" */ t;
select cast(a as ) /* ERROR "expected a type" */ from t;
select f(a, , /* ERROR "expected expression" */ b) from t;
select a from t where (b = 1 group /* ERROR "expected \)" */ by a;
select a is 1 /* ERROR "expected NULL, TRUE, FALSE or DISTINCT FROM after IS" */ from t;
select a from t join where /* ERROR "expected a table" */ x;
select x from t order by a nulls middle /* ERROR "expected FIRST or LAST" */;
with c as select /* ERROR "expected \( before the CTE's query" */ 1 select 2;
select 1 from t; ) /* ERROR "expected a statement" */;
select 'ok' from t
