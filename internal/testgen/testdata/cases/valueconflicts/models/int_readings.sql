select
    id,
    case
        when value < 42 then 'Normal'
        when value < 48 then 'Prediabetes'
        when value <= 58 then 'Diabetes - Elevated'
        else 'Diabetes - Above Target'
    end as band,
    case when kind = 'ifcc' then 'IFCC' else 'DCCT' end as measurement_type,
    case when value > 48 then 'high' else 'low' end as level,
    case when kind = 'ifcc' then 'IFCC reading' else 'DCCT' end as kind_label,
    case when value > 45 then 'Master''s degree' else 'Bachelor''s degree' end as degree,
    kind
from {{ ref('raw_readings') }}
where kind in ('ifcc', 'dcct', 'other')
