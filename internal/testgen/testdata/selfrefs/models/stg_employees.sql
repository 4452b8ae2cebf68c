select id as employee_id, manager as reports_to_employee_id, name from {{ ref('raw_employees') }}
