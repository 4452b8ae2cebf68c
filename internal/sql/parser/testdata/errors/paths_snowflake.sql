select v:a.b::string, f.value:id from t, lateral flatten(input => t.v) f;
select v:a[] /* ERROR "expected expression" */ from t;
select * from t pivot (sum(a) for b in ('x', 'y'); /* ERROR "expected \)" */
merge into t using s on a = b when matched then explode /* ERROR "expected UPDATE, DELETE or INSERT" */;
select {{ ref('x') }}.a from {{ ref('x') }}
