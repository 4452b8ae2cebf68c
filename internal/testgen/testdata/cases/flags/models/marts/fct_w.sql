select id, is_archived as is_flagged from {{ ref('stg_e') }}
