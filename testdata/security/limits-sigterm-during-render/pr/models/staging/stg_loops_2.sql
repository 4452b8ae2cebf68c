{% set s = 'x' * 1000 %}
{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}
select 1 as id
