with deduped as (
    select
        md5(cast(feed_key as varchar) || '-' || cast(line_number as varchar)) as key,
        feed_key,
        area_id,
        area_name,
        line_number
    from {{ ref('raw_areas') }}
    qualify row_number() over (partition by feed_key, area_id, area_name order by line_number) = 1
)

select * from deduped
