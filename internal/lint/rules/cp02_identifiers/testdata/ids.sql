select a, B -- want: CP02
from t
