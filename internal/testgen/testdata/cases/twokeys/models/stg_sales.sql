select current_date() as sale_date, 'US' as marketplace, 1.0 as amount
