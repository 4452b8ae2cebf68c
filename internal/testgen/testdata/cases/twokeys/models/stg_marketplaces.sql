select 'A1' as marketplace_id, 'US' as marketplace_name
