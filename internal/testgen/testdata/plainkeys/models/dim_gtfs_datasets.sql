select url || '-' || kind as key, url, kind from {{ ref('raw_datasets') }}
