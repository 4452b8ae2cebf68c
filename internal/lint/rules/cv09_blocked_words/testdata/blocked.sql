-- options: blocked_words=deprecated_table
select a
from deprecated_table -- want: CV09
