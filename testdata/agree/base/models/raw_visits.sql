select 1 as visitor_id, 'home' as page
