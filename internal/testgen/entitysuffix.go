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

// childWords end the name of a model whose rows are the parts of another entity's row: the
// lines of a bill, the items of an order.
var childWords = map[string]bool{
	"line": true, "lines": true, "item": true, "items": true, "detail": true, "details": true,
	"entry": true, "entries": true, "line_item": true, "line_items": true,
}

// parentOfLines reports whether col is the key of the entity whose parts a model's rows are
// (bill_id in stg_bill_line): a model of lines repeats its parent's id once per line, so an id
// in its first column is no key of its own.
func parentOfLines(model, col string) bool {
	e := entityOf(model)
	for w := range childWords {
		base, ok := strings.CutSuffix(e, "_"+w)
		if !ok || base == "" {
			continue
		}
		for _, suf := range []string{"_id", "_key"} {
			if p, ok := strings.CutSuffix(col, suf); ok && namesEntity(p, base) {
				return true
			}
		}
	}
	return false
}
