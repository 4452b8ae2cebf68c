select
    md5(server_id || '-' || user_id || '-' || event_date) as nps_feedback_id
    , md5(server_id || '-' || event_date) as daily_server_id
    , server_id
from {{ ref('raw_nps_feedback') }}
