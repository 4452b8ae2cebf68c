with code_cte as (
    select
        phenotype.participant_id, -- want: RF01
        1 as one
)

select
    participant_id,
    current_date as today
from code_cte
