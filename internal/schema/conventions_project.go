package schema

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A naming rule a team never stated and does not follow is noise in a review, and one the
// team does follow is worth a word when a change breaks it. So a rule comes from the settings
// (schema.naming), or from a clear majority habit of the project's own names: at least
// habitMinimum examples, at least habitShare of them following it. Every finding quotes where
// its rule came from.

const (
	habitShare   = 0.8
	habitMinimum = 10
	// layerMinimum is the fewest models of a folder that make a habit for that folder.
	layerMinimum = 5
)

// Naming is the team's stated naming rules (`schema.naming` in .dataops.yml, mapped by
// internal/cli). A nil pointer or list is a rule left unset: it is checked only where the
// project's own names clearly follow it already. An empty list turns a rule off.
type Naming struct {
	// Preset "dbt-labs" states dbt Labs' style guide; the fields below override it.
	Preset              string
	SnakeCase           *bool
	BooleanPrefixes     []string
	TimestampSuffix     *string
	DateSuffix          *string
	IDSuffix            *string
	ModelPrefixes       map[string][]string // folder name -> allowed prefixes
	RequireDescriptions []string
	ForbiddenNames      []string
	Disable             []string // rule names to skip
}

// ProjectConventions is the conventions of project p: what its settings state (n), and for
// what they leave unset, what its names clearly do already. cols adds inferred columns (their
// types tell booleans, dates and timestamps) to the documented ones.
func ProjectConventions(p *dbt.Project, cols map[string]*change.ModelColumns, n Naming) Conventions {
	c := Conventions{Placeholders: DefaultConventions().Placeholders, Sources: map[string]string{}, stated: map[string]bool{}}
	state := func(rule, key string) {
		c.stated[rule] = true
		c.Sources[rule] = "schema.naming." + key + " in .dataops.yml"
	}
	if n.Preset == "dbt-labs" {
		d := DefaultConventions()
		c.SnakeCase, c.BooleanPrefixes, c.TimestampSuffix, c.DateSuffix, c.IDSuffix = d.SnakeCase, d.BooleanPrefixes, d.TimestampSuffix, d.DateSuffix, d.IDSuffix
		c.ModelPrefixes, c.RequireDescriptions, c.ForbiddenNames = d.ModelPrefixes, d.RequireDescriptions, d.ForbiddenNames
		for _, r := range RuleNames() {
			state(r, "preset dbt-labs")
		}
	}
	h := readHabits(p, cols)
	if n.SnakeCase != nil {
		c.SnakeCase = *n.SnakeCase
		state(RuleSnakeCase, "snake_case")
	} else if !c.stated[RuleSnakeCase] && h.snake.clear() {
		c.SnakeCase = true
		c.Sources[RuleSnakeCase] = h.snake.say("column names are snake_case")
	}
	if n.BooleanPrefixes != nil {
		c.BooleanPrefixes = n.BooleanPrefixes
		state(RuleBooleanPrefix, "boolean_prefixes")
	} else if !c.stated[RuleBooleanPrefix] && h.boolean.clear() {
		c.BooleanPrefixes = h.boolPrefixes
		c.Sources[RuleBooleanPrefix] = h.boolean.say("boolean columns start with " + orList(h.boolPrefixes))
	}
	suffix := func(rule, key string, set *string, into *string, learned string, hb count, what string) {
		switch {
		case set != nil:
			*into = *set
			state(rule, key)
		case !c.stated[rule] && hb.clear():
			*into = learned
			c.Sources[rule] = hb.say(what + " columns end in " + learned)
		}
	}
	suffix(RuleTimestampSuffix, "timestamp_suffix", n.TimestampSuffix, &c.TimestampSuffix, h.tsSuffix, h.timestamp, "timestamp")
	suffix(RuleDateSuffix, "date_suffix", n.DateSuffix, &c.DateSuffix, h.dateSuffix, h.date, "date")
	suffix(RuleIDSuffix, "id_suffix", n.IDSuffix, &c.IDSuffix, "_id", h.id, "identifier")
	if n.ModelPrefixes != nil {
		c.ModelPrefixes = n.ModelPrefixes
		state(RuleModelPrefix, "model_prefixes")
	} else if !c.stated[RuleModelPrefix] && len(h.modelPrefixes) > 0 {
		c.ModelPrefixes = h.modelPrefixes
		c.Sources[RuleModelPrefix] = "the project's habit"
	}
	if n.RequireDescriptions != nil {
		c.RequireDescriptions = n.RequireDescriptions
		state(RuleDescriptionRequired, "require_descriptions")
	} else if !c.stated[RuleDescriptionRequired] && len(h.described) > 0 {
		c.RequireDescriptions = h.described
		c.Sources[RuleDescriptionRequired] = "the project's habit"
	}
	c.folderSources = h.folderWhy
	if n.ForbiddenNames != nil {
		c.ForbiddenNames = n.ForbiddenNames
		state(RuleForbiddenName, "forbidden_names")
	}
	c.Disable = append(c.Disable, n.Disable...)
	return c
}

// count is how many examples a habit has and how many follow it.
type count struct{ follow, total int }

func (h count) clear() bool {
	return h.total >= habitMinimum && float64(h.follow) >= habitShare*float64(h.total)
}

func (h count) say(what string) string {
	return fmt.Sprintf("the project's habit, %d of %d %s", h.follow, h.total, what)
}

// habits is what the project's names say.
type habits struct {
	snake, boolean, timestamp, date, id count
	boolPrefixes                        []string
	tsSuffix, dateSuffix                string
	modelPrefixes                       map[string][]string
	described                           []string
	// folderWhy says, per "rule/folder", the numbers a folder's habit rests on.
	folderWhy map[string]string
}

// habitColumn is one column of the project: its name and, where known, its type.
type habitColumn struct{ name, dataType string }

func readHabits(p *dbt.Project, cols map[string]*change.ModelColumns) *habits {
	root := rootPackage(p)
	var models []*dbt.Node
	for _, n := range p.Nodes {
		if n.Package == root && n.ResourceType == dbt.Model && !n.Disabled {
			models = append(models, n)
		}
	}
	sort.Slice(models, func(i, j int) bool { return models[i].OriginalFilePath < models[j].OriginalFilePath })
	var all []habitColumn
	for _, n := range models {
		byName := map[string]int{}
		for _, dc := range n.Columns {
			byName[strings.ToLower(dc.Name)] = len(all)
			all = append(all, habitColumn{dc.Name, dc.DataType})
		}
		if mc := cols[n.UniqueID]; mc != nil {
			for _, ic := range mc.Columns {
				if i, ok := byName[strings.ToLower(ic.Name)]; ok {
					if all[i].dataType == "" {
						all[i].dataType = ic.DataType
					}
					continue
				}
				if !ic.Unnamed {
					all = append(all, habitColumn{ic.Name, ic.DataType})
				}
			}
		}
	}
	h := &habits{}
	firstWords := map[string]int{}
	var bools []string
	tsEnds, dateEnds := map[string]int{}, map[string]int{}
	for _, c := range all {
		name := strings.ToLower(c.name)
		h.snake.total++
		if isSnake(c.name) {
			h.snake.follow++
		}
		switch typeClass(c.dataType) {
		case "boolean":
			bools = append(bools, name)
			if w, _, ok := strings.Cut(strings.TrimLeft(name, "_"), "_"); ok {
				firstWords[w+"_"]++
			}
		case "timestamp":
			h.timestamp.total++
			tsEnds[lastWord(name)]++
		case "date":
			h.date.total++
			dateEnds[lastWord(name)]++
		}
		if isSnake(c.name) && idLike(name) {
			h.id.total++
			if strings.HasSuffix(name, "_id") {
				h.id.follow++
			}
		}
	}
	// Boolean prefixes: the first words several boolean columns share (is_, has_, was_...).
	for w, n := range firstWords {
		if n >= 2 {
			h.boolPrefixes = append(h.boolPrefixes, w)
		}
	}
	sort.Slice(h.boolPrefixes, func(i, j int) bool {
		a, b := h.boolPrefixes[i], h.boolPrefixes[j]
		return firstWords[a] > firstWords[b] || firstWords[a] == firstWords[b] && a < b
	})
	h.boolean.total = len(bools)
	for _, b := range bools {
		if hasAnyPrefix(strings.TrimLeft(b, "_"), h.boolPrefixes) {
			h.boolean.follow++
		}
	}
	if len(h.boolPrefixes) == 0 {
		h.boolean.follow = 0
	}
	h.tsSuffix, h.timestamp.follow = commonest(tsEnds)
	h.dateSuffix, h.date.follow = commonest(dateEnds)
	h.layerHabits(models)
	return h
}

func lastWord(name string) string {
	if i := strings.LastIndexByte(name, '_'); i > 0 {
		return name[i:]
	}
	return ""
}

// idLike: a column named as an identifier, `customer_id` or `customerid`, not a word that ends
// in "id" (paid, valid).
func idLike(name string) bool {
	if strings.HasSuffix(name, "_id") {
		return true
	}
	last := name[strings.LastIndexByte(name, '_')+1:]
	return strings.HasSuffix(last, "id") && len(last) >= 5 && !notIDWords[last]
}

// commonest is the most frequent non-empty key and its count.
func commonest(m map[string]int) (string, int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	best, n := "", 0
	for _, k := range keys {
		if m[k] > n {
			best, n = k, m[k]
		}
	}
	return best, n
}

// layerHabits reads, per folder name, the prefix its models share and whether they (and
// their documented columns) are described.
func (h *habits) layerHabits(models []*dbt.Node) {
	type folder struct {
		models, described, cols, colsDescribed int
		prefixes                               map[string]int
		// places counts the prefixes per place the folder name stands (its whole path).
		places map[string]map[string]int
	}
	folders := map[string]*folder{}
	var names []string
	for _, n := range models {
		parts := strings.Split(path.Dir(n.OriginalFilePath), "/")
		// The model path itself (models/) says nothing about a layer.
		for k, f := range parts[1:] {
			fo := folders[f]
			if fo == nil {
				fo = &folder{prefixes: map[string]int{}, places: map[string]map[string]int{}}
				folders[f] = fo
				names = append(names, f)
			}
			place := strings.Join(parts[:k+2], "/")
			if fo.places[place] == nil {
				fo.places[place] = map[string]int{}
			}
			fo.models++
			if w, _, ok := strings.Cut(n.Name, "_"); ok {
				fo.prefixes[w+"_"]++
				fo.places[place][w+"_"]++
			}
			if strings.TrimSpace(n.Description) != "" {
				fo.described++
			}
			for _, c := range n.Columns {
				fo.cols++
				if strings.TrimSpace(c.Description) != "" {
					fo.colsDescribed++
				}
			}
		}
	}
	sort.Strings(names)
	h.folderWhy = map[string]string{}
	for _, name := range names {
		fo := folders[name]
		if fo.models < layerMinimum {
			continue
		}
		if pf, n := commonest(fo.prefixes); float64(n) >= habitShare*float64(fo.models) && !elsewhere(fo.places, pf) {
			if h.modelPrefixes == nil {
				h.modelPrefixes = map[string][]string{}
			}
			h.modelPrefixes[name] = []string{pf}
			h.folderWhy[RuleModelPrefix+"/"+name] = fmt.Sprintf("the project's habit, %d of %d models in %s/ start with %s", n, fo.models, name, pf)
		}
		if float64(fo.described) >= habitShare*float64(fo.models) && fo.cols > 0 && float64(fo.colsDescribed) >= habitShare*float64(fo.cols) {
			h.described = append(h.described, name)
			h.folderWhy[RuleDescriptionRequired+"/"+name] = fmt.Sprintf("the project's habit, %d of %d models and %d of %d documented columns in %s/ are described", fo.described, fo.models, fo.colsDescribed, fo.cols, name)
		}
	}
}

// elsewhere reports whether, in one of the places a folder name stands, enough models to make
// a layer share a prefix other than pf: the name then says something else there (a warehouse
// folder such as bigquery/ under both staging and marts), and is no layer of its own.
func elsewhere(places map[string]map[string]int, pf string) bool {
	for _, prefixes := range places {
		total := 0
		for _, n := range prefixes {
			total += n
		}
		if other, n := commonest(prefixes); other != pf && n >= layerMinimum && float64(n) >= habitShare*float64(total) {
			return true
		}
	}
	return false
}
