select bill_id, line_number, amount from {{ ref('raw_bill_lines') }}
