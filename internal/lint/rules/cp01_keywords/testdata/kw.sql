select a
FROM t -- want: CP01
where b = 1
