package testgen

import "strings"

// A model named for what was done to an entity is still about that entity:
// int_tickets_enriched, int_orders_deduped, stg_events_unioned are tickets, orders and events,
// keyed on ticket_id, order_id and event_id. Only words that name a step of the pipeline count:
// fct_active_servers is about activity, and its server_id refers to servers.

// stepWords end a model's name with what the model does to its entity.
var stepWords = map[string]bool{
	"enriched": true, "enrich": true, "dedup": true, "deduped": true, "deduplicated": true,
	"cleaned": true, "clean": true, "joined": true, "unioned": true, "union": true, "filtered": true,
	"flattened": true, "normalized": true, "normalised": true, "mapped": true, "prepared": true,
	"augmented": true, "combined": true, "merged": true,
}

// withoutStep is the entity without a trailing step word (ticket for ticket_enriched), or "".
func withoutStep(entity string) string {
	i := strings.LastIndexByte(entity, '_')
	if i <= 0 || !stepWords[entity[i+1:]] {
		return ""
	}
	return entity[:i]
}
