select id as trip_id, dataset_url as vehicle_positions_gtfs_dataset_key, dataset_url as schedule_gtfs_dataset_key, dataset_url as user_key from {{ ref('raw_trips') }}
