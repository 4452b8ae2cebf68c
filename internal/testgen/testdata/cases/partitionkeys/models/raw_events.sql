select 1 as block_number, 'a' as tx_hash, 0 as event_index, 10 as amount
