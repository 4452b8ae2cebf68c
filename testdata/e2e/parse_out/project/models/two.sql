select id from {{ ref('one') }}
