package warehouse

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Normalize turns a driver value into nil, bool, int64, float64 or string, so results print
// and encode the same on every warehouse. dbType is the driver's type name, used to print
// dates without a time.
func Normalize(v any, dbType string) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return fmt.Sprint(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case time.Time:
		t := strings.ToUpper(dbType)
		if t == "DATE" {
			return x.Format("2006-01-02")
		}
		if strings.HasPrefix(t, "TIME") && !strings.HasPrefix(t, "TIMESTAMP") {
			return x.Format("15:04:05.999999")
		}
		if strings.Contains(t, "TZ") || strings.Contains(t, "ZONE") {
			return x.Format("2006-01-02 15:04:05.999999-07:00")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case interface{ Float64() float64 }: // decimals
		return x.Float64()
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
