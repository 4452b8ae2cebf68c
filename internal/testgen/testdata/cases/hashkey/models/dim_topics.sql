with grouped as (
    select area_name as topic_name, feed_key as platform
    from {{ ref('raw_areas') }}
    group by area_name, feed_key
),

keyed as (
    select md5(cast(topic_name as varchar) || '-' || cast(platform as varchar)) as topics_pk, topic_name, platform
    from grouped
)

select child.topics_pk, child.topic_name, child.platform, parent.topics_pk as parent_topics_fk
from keyed as child
left join keyed as parent on child.topic_name = parent.platform
