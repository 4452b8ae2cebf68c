select 1 as account_id, 'click' as event_type
