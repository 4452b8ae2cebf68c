select 'd' as server_day_label, md5('x') as daily_server_id
