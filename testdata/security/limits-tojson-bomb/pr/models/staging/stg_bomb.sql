{% set s = 'x' * 10000000 %}
{% set l = [s, s, s, s, s, s, s, s, s, s] %}
{% set m = [l, l, l, l, l, l, l, l, l, l] %}
select '{{ m | tojson }}' as id
