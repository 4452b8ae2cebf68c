package dbt

import "strings"

// ShortID drops the resource type and package from a unique id for display:
// model.shop.orders -> orders, source.shop.raw.orders -> raw.orders.
func ShortID(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 3 {
		return strings.Join(parts[2:], ".")
	}
	return id
}
