{{ config(enabled=var('util_other')) }}
select 1 as x
