select 'x' as organization_name, 'mitx' as platform, 'b' as content_block_fk
