with base as (
    select c.id, c.direction
    from {{ ref('stg_comms') }} as c
    where c.direction = 'outbound'
)
select id, direction from base
