select vendor_id, vendor_name from {{ ref('raw_vendors') }}
