package testgen

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// loadStamps are the columns loaders write when a row lands, in order of preference.
var loadStamps = []string{"_loaded_at", "_fivetran_synced", "_sdc_batched_at", "_sdc_extracted_at", "_airbyte_extracted_at",
	"_airbyte_emitted_at", "_etl_loaded_at", "_dlt_load_time", "_stitch_received_at", "_ingested_at", "loaded_at", "_synced_at", "updated_at"}

// suggestFreshness proposes freshness for sources that declare a load timestamp column and
// have no freshness yet. Thresholds default to a daily load (warn after 24 hours, error after
// 48); Cadence adjusts them from data.
func suggestFreshness(p *dbt.Project, scope map[string]bool) []*Freshness {
	var out []*Freshness
	for _, id := range slices.Sorted(maps.Keys(p.Sources)) {
		s := p.Sources[id]
		if s.LoadedAtField != "" && len(s.Freshness) > 0 {
			continue
		}
		if len(scope) > 0 && !usedByScope(p, id, scope) {
			continue
		}
		field := s.LoadedAtField
		var pos dbt.Pos = s.Pos
		if field == "" {
			for _, stamp := range loadStamps {
				for _, c := range s.Columns {
					if strings.EqualFold(c.Name, stamp) {
						field, pos = c.Name, c.Pos
						break
					}
				}
				if field != "" {
					break
				}
			}
		}
		if field == "" {
			continue
		}
		out = append(out, &Freshness{
			Source: s.SourceName, Table: s.Name, UniqueID: id, LoadedAtField: field,
			WarnAfter: Period{24, "hour"}, ErrorAfter: Period{48, "hour"},
			Reasons: []string{field + " is the loader's timestamp; without data the thresholds assume a daily load"},
			Pos:     pos,
		})
	}
	return out
}

// Cadence sizes freshness thresholds from the largest gap between loads seen in data:
// warn after twice the gap, error after four times, in hours (at least one).
func (f *Freshness) Cadence(maxGapHours float64) {
	warn := int(maxGapHours*2 + 0.999)
	if warn < 1 {
		warn = 1
	}
	f.WarnAfter = Period{warn, "hour"}
	f.ErrorAfter = Period{warn * 2, "hour"}
	f.Reasons = append(f.Reasons[:0], f.LoadedAtField+" is the loader's timestamp; loads arrive at most "+strconv.Itoa(int(maxGapHours+0.5))+" hour(s) apart in the data")
}

func usedByScope(p *dbt.Project, id string, scope map[string]bool) bool {
	for _, c := range p.ChildMap[id] {
		if scope[c] {
			return true
		}
	}
	return false
}
