package schema

import (
	"slices"
	"strings"
	"unicode"
)

// Descriptions written from a column's name are the last source before the placeholder: a
// column nobody documented anywhere still reads "The date and time the order was shipped."
// rather than nothing. They say only what the name says; they are marked description_from
// name so a reviewer knows to improve them, and a team that finds them unhelpful turns them
// off (schema.describe_from_name: false) or lets its review outcomes move them down.

// writtenAbbreviations expands the short forms of column names to the words a description
// uses; acronyms keep their capitals.
var writtenAbbreviations = map[string]string{
	"acct": "account", "addr": "address", "amt": "amount", "avg": "average", "cnt": "count",
	"cust": "customer", "desc": "description", "dt": "date", "evt": "event", "msg": "message",
	"num": "number", "org": "organization", "pct": "percentage", "prev": "previous", "qty": "quantity",
	"ts": "timestamp", "tx": "transaction", "txn": "transaction", "usr": "user", "dob": "date of birth",
	"max": "maximum", "min": "minimum", "seq": "sequence", "lat": "latitude", "lng": "longitude",
	"id": "ID", "ids": "IDs", "ip": "IP", "url": "URL", "uri": "URI", "sku": "SKU", "utc": "UTC",
	"usd": "USD", "api": "API", "arr": "ARR", "mrr": "MRR", "utm": "UTM", "sql": "SQL", "dns": "DNS",
	"ssl": "SSL", "http": "HTTP", "https": "HTTPS", "ssn": "SSN", "uuid": "UUID", "os": "operating system",
	"ua": "user agent",
}

// nameWords splits a column name into the words of a description.
func nameWords(name string) []string {
	var out []string
	for _, part := range identifierParts(name) {
		if w, ok := writtenAbbreviations[part]; ok {
			out = append(out, strings.Fields(w)...)
			continue
		}
		out = append(out, part)
	}
	return out
}

// identifierParts splits snake_case, kebab-case and camelCase into lower-case parts.
func identifierParts(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// entityWords is the model's entity as words, singular: fct_orders → order,
// stg_stripe__payment_intents → payment intent.
func entityWords(model string) string {
	ws := identifierParts(entityOf(model))
	if len(ws) == 0 {
		return ""
	}
	if modelVerbs[ws[0]] {
		// int_join_orders_and_items, int_calculate_fields_for_orders: named for what the
		// model does, not for the thing a row is.
		return "row"
	}
	ws[len(ws)-1] = singularWord(ws[len(ws)-1])
	return strings.Join(ws, " ")
}

// modelVerbs open the names of models named for a step of work.
var modelVerbs = map[string]bool{"join": true, "joined": true, "get": true, "calculate": true, "calc": true,
	"compute": true, "convert": true, "pivot": true, "unpivot": true, "aggregate": true, "agg": true,
	"union": true, "unioned": true, "filter": true, "filtered": true, "dedupe": true, "deduped": true,
	"dedup": true, "map": true, "enrich": true, "enriched": true, "combine": true, "combined": true,
	"clean": true, "cleaned": true, "prep": true, "prepare": true, "transform": true, "add": true,
	"append": true, "merge": true, "merged": true, "split": true, "flatten": true, "rank": true, "apply": true}

// Name endings that say what kind of value a column holds.
var (
	keySuffixes  = map[string]bool{"id": true, "key": true, "sk": true, "pk": true}
	timeSuffixes = map[string]bool{"at": true, "timestamp": true, "time": true, "datetime": true}
	dateSuffixes = map[string]bool{"date": true, "day": true, "on": true}
	// calendarParts are the periods a date is truncated to (dbt's date spines name their column
	// date_<datepart>).
	calendarParts = map[string]bool{"day": true, "week": true, "month": true, "quarter": true, "year": true}
	ofSuffixes    = map[string]bool{"name": true, "type": true, "status": true, "code": true, "email": true, "url": true,
		"version": true, "category": true, "state": true, "label": true, "title": true, "number": true, "amount": true,
		"value": true, "description": true, "price": true, "size": true, "count": true, "total": true, "country": true,
		"currency": true, "source": true, "domain": true, "level": true, "rank": true, "score": true, "reason": true}
	booleanPrefixes = map[string]bool{"is": true, "has": true, "was": true, "were": true, "should": true, "can": true,
		"did": true, "does": true, "will": true, "had": true}
	countPrefixes = map[string]bool{"count": true, "num": true, "number": true, "n": true, "cnt": true}
	// prepositions join a name's last word to the words before it. "on" is not one here: it
	// ends a date (shipped_on). "at" before the last word is one (price_at_close); a time zone
	// after _at (created_at_utc) is read before.
	prepositions = map[string]bool{"in": true, "per": true, "by": true, "for": true, "from": true, "to": true,
		"of": true, "at": true, "within": true, "over": true, "into": true, "via": true, "vs": true, "versus": true}
	// qualifiers are first words that say which one of a kind, not whose.
	// keyKinds are the qualifiers that say what kind of key a key column is.
	keyKinds   = map[string]bool{"unique": true, "primary": true, "natural": true, "surrogate": true, "business": true, "foreign": true, "hash": true}
	qualifiers = map[string]bool{"unique": true, "primary": true, "natural": true, "surrogate": true, "business": true,
		"foreign": true, "hash": true, "from": true, "to": true,
		"local": true, "original": true, "default": true,
		// first_name, postal_code: which name, which code
		"first": true, "last": true, "middle": true, "full": true, "display": true, "legal": true,
		"second": true, "maiden": true, "nick": true, "alternate": true, "alt": true, "secondary": true,
		"preferred": true, "given": true, "family": true, "short": true, "postal": true, "zip": true,
		"post": true, "area": true}
)

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// zoneWords follow a time column's suffix to say its zone.
var zoneWords = map[string]string{"utc": "UTC", "local": "local time", "localized": "local time", "tz": "with its time zone",
	"pst": "Pacific time", "pt": "Pacific time", "est": "Eastern time", "et": "Eastern time", "cet": "Central European time"}

// yesNoSuffixes end the names of yes/no columns (active_flag, deleted_yn), in the order the
// naming conventions trim them.
var yesNoSuffixes = []string{"flag", "flg", "ind", "yn", "bool"}

// yesNoDescription asks the question a yes/no column's name asks: "Whether the account is
// deleted." for deleted_yn; a name that is no participle or state keeps its words.
func yesNoDescription(model, ent string, parts []string) string {
	if booleanPrefixes[parts[0]] && len(parts) > 1 {
		return nameDescription(model, strings.Join(parts, "_"))
	}
	words := strings.Join(parts, " ")
	last := parts[len(parts)-1]
	if strings.HasSuffix(last, "ed") || yesNoStates[last] {
		if ent == "" {
			return "Whether it is " + words + "."
		}
		return "Whether the " + ent + " is " + words + "."
	}
	return "Whether " + words + " applies (yes or no)."
}

// yesNoStates are words a row is or is not: active, current, valid.
var yesNoStates = map[string]bool{"active": true, "inactive": true, "current": true, "valid": true, "invalid": true,
	"open": true, "closed": true, "enabled": true, "visible": true, "hidden": true, "public": true, "private": true,
	"primary": true, "default": true, "latest": true, "live": true, "new": true, "test": true, "paid": true}

// midBoolean is the index of the is/has/was word inside a name (bid_is_active: 1), or 0 when
// none stands between other words.
func midBoolean(parts []string) int {
	for i := 1; i < len(parts)-1; i++ {
		switch parts[i] {
		case "is", "has", "was", "were", "had":
			return i
		}
	}
	return 0
}

// NameDescription is the description the name source writes for a column of a model.
func NameDescription(model, column string) string { return nameDescription(model, column) }

// nameDescription writes what a column's name says about it, in the model it belongs to.
func nameDescription(model, column string) string {
	parts := identifierParts(column)
	ws := nameWords(column)
	if len(parts) == 0 || len(ws) == 0 {
		return ""
	}
	ent := entityWords(model)
	if d := wellKnownDescription(strings.ToLower(column), ent); d != "" {
		return d
	}
	if n := len(parts); n > 2 && (parts[n-2] == "at" || parts[n-2] == "date" || parts[n-2] == "timestamp") && zoneWords[parts[n-1]] != "" {
		// created_at_utc, created_at_localized: the time, in that zone.
		d := strings.TrimSuffix(nameDescription(model, strings.Join(parts[:n-1], "_")), ".")
		return d + " (" + zoneWords[parts[n-1]] + ")."
	}
	if n := len(parts); n > 2 && calendarParts[parts[n-1]] && (timeSuffixes[parts[n-2]] || dateSuffixes[parts[n-2]]) {
		// created_at_month, order_date_week: the period the time falls in, said of that time
		// ("the month the order was created"), not "the created at month".
		d := strings.TrimSuffix(nameDescription(model, strings.Join(parts[:n-1], "_")), ".")
		for _, lead := range []string{"The date and time ", "The date "} {
			if rest, ok := strings.CutPrefix(d, lead); ok && strings.HasPrefix(rest, "the ") {
				return "The " + parts[n-1] + " " + rest + "."
			}
		}
		return "The " + parts[n-1] + " of the " + strings.TrimPrefix(strings.TrimPrefix(d, "The "), "the ") + "."
	}
	if n := len(parts); n == 2 && validityWords[parts[0]] && validityBounds[parts[1]] != "" {
		// valid_from, effective_to: one bound of the period a version of the row holds.
		return validityDescription(validityBounds[parts[1]], ent)
	}
	if n := len(parts); n > 1 && slices.Contains(yesNoSuffixes, parts[n-1]) {
		// deleted_yn, is_extracted_yn, active_flag: a yes/no question, asked without its suffix.
		return yesNoDescription(model, ent, parts[:n-1])
	}
	if n := len(parts); n > 2 && parts[n-1] == "time" && parts[n-2] == "date" {
		// lds_start_date_time is lds_start_datetime.
		parts = append(parts[:n-2:n-2], "datetime")
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(parts) == 2 && qualifiers[first] && (keySuffixes[last] || ofSuffixes[last]) {
		// unique_key, from_currency: the first word qualifies the second, which names no
		// entity of its own ("the ID of the unique").
		return "The " + strings.Join(ws, " ") + "."
	}
	restWords := func(from, to int) string { return strings.Join(nameWords(strings.Join(parts[from:to], "_")), " ") }
	var d string
	switch {
	case len(parts) == 2 && (first == "date" || first == "dt") && calendarParts[last]:
		// date_day, date_month: a time spine's or calendar's period, not "the date date".
		d = "The calendar " + last
	case booleanPrefixes[first] && len(parts) > 1:
		d = "Whether "
		if ent != "" {
			d += "the " + ent + " "
		}
		d += first + " " + restWords(1, len(parts))
	case len(parts) > 2 && midBoolean(parts) > 0:
		// bid_is_active, order_has_refund: the words before the verb are what it is about.
		i := midBoolean(parts)
		d = "Whether the " + restWords(0, i) + " " + parts[i] + " " + restWords(i+1, len(parts))
	case first == "in" && len(parts) > 1:
		// in_stock, in_salesforce: whether the row is found there
		d = "Whether "
		if ent != "" {
			d += "the " + ent + " "
		}
		d += "is in " + restWords(1, len(parts))
	case keySuffixes[last]:
		rest := restWords(0, len(parts)-1)
		switch {
		case rest == "" || keyOf(model, strings.ToLower(column)):
			if ent == "" {
				d = "The unique ID of the row"
			} else {
				d = "The unique ID of the " + ent
			}
		case rest == "parent" && ent != "":
			// A hierarchy's parent is a row of the same kind: "the ID of the parent" leaves
			// out of what.
			d = "The ID of the parent " + ent
		case len(parts) > 2 && keyKinds[parts[len(parts)-2]]:
			// deployment_surrogate_key: a kind of key of the deployment, not the ID of a
			// "deployment surrogate".
			word := map[string]string{"id": "ID"}[last]
			if word == "" {
				word = "key"
			}
			d = "The " + parts[len(parts)-2] + " " + word + " of the " + restWords(0, len(parts)-2)
		default:
			d = "The ID of the " + rest
		}
	case timeSuffixes[last] && len(parts) > 2 && isVerb(parts[len(parts)-2]):
		// license_starts_at: the words before the verb are what it happened to.
		d = "The date and time the " + restWords(0, len(parts)-2) + " " + pastTense(parts[len(parts)-2])
	case last == "time" && len(parts) > 1 && durationParticiples[parts[len(parts)-2]]:
		// elapsed_time, sla_elapsed_time: a length of time, not the moment something happened.
		d = "The " + strings.Join(ws, " ")
	case timeSuffixes[last] && len(parts) > 1 && !isVerb(parts[len(parts)-2]) && !strings.HasSuffix(parts[len(parts)-2], "ed"):
		// event_timestamp, local_time, high_watermark_datetime: no event the row went
		// through, the words name the time ("the order was event" says nothing).
		label := last
		if last == "at" || last == "datetime" {
			label = "date and time"
		}
		d = "The " + restWords(0, len(parts)-1) + " " + label
	case timeSuffixes[last] && len(parts) > 1:
		d = "The date and time "
		if ent != "" {
			d += "the " + ent + " "
		}
		d += pastTense(restWords(0, len(parts)-1))
	case dateSuffixes[last] && len(parts) > 1 && isVerb(parts[len(parts)-2]):
		d = "The date "
		if len(parts) > 2 {
			d += "the " + restWords(0, len(parts)-2) + " "
		} else if ent != "" {
			d += "the " + ent + " "
		}
		d += pastTense(parts[len(parts)-2])
	case last == "day" && len(parts) > 2 && (parts[len(parts)-2] == "per" || isNumber(parts[len(parts)-2])):
		// sessions_per_day, amount_plus_1_day: a day is a length here, not a date.
		d = "The " + strings.Join(ws, " ")
	case last == "day" && len(parts) > 1 && measurePart(parts[:len(parts)-1]):
		// orders_count_day, avg_duration_driver_day: a quantity counted by day, not a date.
		d = "The " + restWords(0, len(parts)-1) + " per day"
	case dateSuffixes[last] && len(parts) > 1:
		d = "The " + restWords(0, len(parts)-1) + " date"
	case countPrefixes[first] && len(parts) > 2 && parts[1] == "of":
		// number_of_orders: the "of" is already said.
		d = "The number of " + restWords(2, len(parts))
	case countPrefixes[first] && len(parts) > 1:
		d = "The number of " + restWords(1, len(parts))
	case first == "total" && len(parts) > 1:
		d = "The total " + restWords(1, len(parts))
	case len(parts) > 2 && prepositions[parts[len(parts)-2]]:
		// usage_in_currency, revenue_by_region: the preposition already ties the last word
		// to the rest ("the currency of the usage in" reads it backwards).
		d = "The " + strings.Join(ws, " ")
	case ofSuffixes[last] && len(parts) >= 2 && strings.HasSuffix(parts[len(parts)-2], "ed") && len(parts[len(parts)-2]) > 4:
		// rejected_reason, recognized_amount: the participle says which reason or amount.
		d = "The " + strings.Join(ws, " ")
	case ofSuffixes[last] && len(parts) > 2 && qualifiers[parts[len(parts)-2]]:
		// client_first_name, customer_postal_code: the qualifier says which name or code.
		d = "The " + strings.Join(ws, " ")
	case ofSuffixes[last]:
		rest := restWords(0, len(parts)-1)
		if last == "count" && rest != "" {
			d = "The number of " + plural(rest)
			break
		}
		if rest == "" {
			rest = ent
		}
		if rest == "" {
			d = "The " + last
		} else {
			d = "The " + strings.Join(nameWords(last), " ") + " of the " + rest
		}
	default:
		d = "The " + strings.Join(ws, " ")
	}
	return d + "."
}

// isVerb reports whether a name part is an event verb (start, starts, shipped).
func isVerb(w string) bool {
	return verbs[w] || verbs[strings.TrimSuffix(w, "s")] || irregularPast[w] != "" ||
		strings.HasSuffix(w, "ed") && (verbs[strings.TrimSuffix(w, "d")] || verbs[strings.TrimSuffix(w, "ed")])
}

// pastTense turns the words before _at into a past participle where a verb ends them
// (created, shipped, started); other words stay as they are.
func pastTense(words string) string {
	fs := strings.Fields(words)
	if len(fs) == 0 {
		return words
	}
	w := fs[len(fs)-1]
	switch {
	case strings.HasSuffix(w, "ed"), len(w) < 3:
	case irregularPast[w] != "":
		w = irregularPast[w]
	case strings.HasSuffix(w, "s") && verbs[strings.TrimSuffix(w, "s")]:
		w = regularPast(strings.TrimSuffix(w, "s"))
	case verbs[w]:
		w = regularPast(w)
	}
	fs[len(fs)-1] = w
	return "was " + strings.Join(fs, " ")
}

var irregularPast = map[string]string{"sent": "sent", "send": "sent", "begin": "begun", "begins": "begun", "sold": "sold",
	"sell": "sold", "paid": "paid", "pay": "paid", "read": "read", "seen": "seen", "run": "run", "won": "won", "lost": "lost",
	"built": "built", "build": "built", "made": "made", "make": "made", "taken": "taken", "written": "written", "done": "done",
	"known": "known", "held": "held", "set": "set", "put": "put", "cut": "cut", "hit": "hit", "shut": "shut", "split": "split"}

// verbs are the words before _at that name an event.
var verbs = map[string]bool{"create": true, "update": true, "delete": true, "modify": true, "start": true, "end": true,
	"expire": true, "close": true, "open": true, "cancel": true, "complete": true, "finish": true, "ship": true,
	"deliver": true, "receive": true, "issue": true, "process": true, "load": true, "sync": true, "archive": true,
	"publish": true, "approve": true, "reject": true, "submit": true, "confirm": true, "activate": true,
	"deactivate": true, "convert": true, "register": true, "sign": true, "invite": true, "join": true, "leave": true,
	"refund": true, "charge": true, "renew": true, "resolve": true, "assign": true, "accept": true, "fail": true,
	"insert": true, "log": true, "view": true, "click": true, "request": true, "import": true, "export": true,
	"post": true, "schedule": true, "trigger": true, "verify": true, "expose": true, "enable": true, "disable": true,
	"ingest": true, "churn": true, "upgrade": true, "downgrade": true, "suspend": true, "restore": true}

func regularPast(v string) string {
	switch {
	case strings.HasSuffix(v, "e"):
		return v + "d"
	case strings.HasSuffix(v, "y") && len(v) > 2 && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ied"
	case v == "ship" || v == "log" || v == "submit" || v == "cancel" || v == "refer":
		return v + string(v[len(v)-1]) + "ed"
	}
	return v + "ed"
}

// plural puts the last word of a phrase in the plural (payment → payments, entry → entries).
func plural(phrase string) string {
	i := strings.LastIndexByte(phrase, ' ') + 1
	w := phrase[i:]
	switch {
	case w == "" || strings.HasSuffix(w, "s") || w == strings.ToUpper(w):
	case strings.HasSuffix(w, "y") && len(w) > 2 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		w = w[:len(w)-1] + "ies"
	case strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh"):
		w += "es"
	default:
		w += "s"
	}
	return phrase[:i] + w
}

// durationParticiples are the participles that make a `_time` column a length of time.
var durationParticiples = map[string]bool{"elapsed": true, "spent": true, "remaining": true, "billed": true,
	"logged": true, "worked": true, "tracked": true, "waited": true, "allotted": true, "budgeted": true}

// validityWords and validityBounds read the two-word names of a version's validity period.
var (
	validityWords  = map[string]bool{"valid": true, "effective": true}
	validityBounds = map[string]string{"from": "from", "start": "from", "since": "from", "to": "until",
		"until": "until", "end": "until", "thru": "until", "through": "until"}
)

// validityDescription says one bound of the period during which a version of the row holds.
func validityDescription(bound, ent string) string {
	return "The date and time " + bound + " which this version of the " + orRow(ent) + " is valid."
}

// wellKnownDescription describes the columns that loaders and dbt's snapshots add to a table,
// whose names mean the same in every project and read badly word by word ("the fivetran
// synced", "the date and time the x was sdc batched").
func wellKnownDescription(column, ent string) string {
	switch column {
	case "dbt_valid_from":
		return validityDescription("from", ent)
	case "dbt_valid_to":
		return "The date and time until which this version of the " + orRow(ent) + " is valid; empty for the current version."
	case "dbt_scd_id":
		return "The unique ID of this version of the " + orRow(ent) + ", set by the dbt snapshot."
	case "dbt_updated_at":
		return "The date and time the source last updated this version of the " + orRow(ent) + ", as the dbt snapshot read it."
	case "dbt_is_deleted":
		return "Whether the " + orRow(ent) + " was deleted in the source, as the dbt snapshot saw it."
	}
	loader, field, ok := strings.Cut(strings.TrimPrefix(column, "_"), "_")
	if !ok || !strings.HasPrefix(column, "_") {
		return ""
	}
	name := map[string]string{"fivetran": "Fivetran", "airbyte": "Airbyte", "sdc": "Stitch", "dlt": "dlt"}[loader]
	if name == "" {
		return ""
	}
	switch field {
	case "synced":
		return "The date and time " + name + " last synced the row."
	case "deleted":
		return "Whether the row was deleted in the source, as " + name + " marks it."
	case "active":
		return "Whether this is the current version of the row, as " + name + " marks it."
	case "start":
		return "The date and time from which this version of the row is valid, as " + name + " records it."
	case "end":
		return "The date and time until which this version of the row is valid, as " + name + " records it."
	case "extracted_at":
		return "The date and time " + name + " extracted the row from the source."
	case "emitted_at", "batched_at", "received_at", "loaded_at":
		return "The date and time " + name + " loaded the row."
	case "deleted_at":
		return "The date and time the row was deleted in the source, as " + name + " records it."
	case "id", "raw_id", "ab_id", "load_id":
		return "The ID " + name + " gives the row or its load."
	}
	return ""
}

// orRow names the entity, or "row" when the model's name gives none.
func orRow(ent string) string {
	if ent == "" {
		return "row"
	}
	return ent
}

// measureWords name a quantity: a name holding one and ending in _day counts by day.
var measureWords = map[string]bool{"count": true, "cnt": true, "total": true, "sum": true, "avg": true, "average": true,
	"rate": true, "ratio": true, "pct": true, "percent": true, "percentage": true, "amount": true, "amt": true,
	"duration": true, "hours": true, "minutes": true, "seconds": true, "nb": true, "num": true, "qty": true, "quantity": true}

// measurePart says one of the words names a quantity.
func measurePart(parts []string) bool {
	for _, p := range parts {
		if measureWords[p] {
			return true
		}
	}
	return false
}
