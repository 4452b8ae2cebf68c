select feedback_id, content_block_fk, platform from {{ ref('raw_feedback') }}
