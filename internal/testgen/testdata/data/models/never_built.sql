select 1 as widget_id, 'x' as widget_kind
