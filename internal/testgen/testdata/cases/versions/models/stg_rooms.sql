select code as room_code, name as room_name from {{ source('raw', 'rooms') }}
