{{ exceptions.warn('warehouse ' ~ env_var('SHOP_WAREHOUSE_ID')) }}
select
    1 as "{{ env_var('SHOP_WAREHOUSE_ID') }}",
    2 as id_{{ env_var('SHOP_WAREHOUSE_ID') | replace('-', '_') }},
    '{{ env_var('SHOP_WAREHOUSE_ID') | upper }}' as upper_form,
    '{{ env_var('SHOP_WAREHOUSE_ID') | urlencode }}' as url_form,
    {{ tojson({'id': env_var('SHOP_WAREHOUSE_ID')}) }} as json_form
