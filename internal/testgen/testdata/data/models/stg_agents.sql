select agent_id, name from {{ ref('raw_agents') }}
