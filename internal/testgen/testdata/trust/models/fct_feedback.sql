select feedback_id, content_block_fk from {{ ref('stg_feedback') }}
