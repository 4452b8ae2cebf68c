-- dialect: databricks
-- A CTE written without AS (Spark) lists its columns like any other: * from it is known.
with src as (
    select id from up
)

, renamed (
    select id as customer_id
    from src
)

select * from renamed;

with raw (
    select * from up -- want: AM04
)

select * from raw
