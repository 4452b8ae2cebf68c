package dbt

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sort"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// ManifestSchema and DbtVersion are what our manifest.json says it is: the v12 schema, as
// written by the dbt version whose parsing we follow.
const (
	ManifestSchema = "https://schemas.getdbt.com/dbt/manifest/v12.json"
	DbtVersion     = "1.10.0"
)

type mMetadata struct {
	DbtSchemaVersion string            `json:"dbt_schema_version"`
	DbtVersion       string            `json:"dbt_version"`
	GeneratedAt      string            `json:"generated_at"`
	InvocationID     *string           `json:"invocation_id"`
	Env              map[string]string `json:"env"`
	ProjectName      string            `json:"project_name"`
	ProjectID        string            `json:"project_id"`
	UserID           *string           `json:"user_id"`
	SendAnonymous    bool              `json:"send_anonymous_usage_stats"`
	AdapterType      string            `json:"adapter_type"`
	Quoting          map[string]any    `json:"quoting"`
	RunStartedAt     string            `json:"run_started_at"`
}

type mChecksum struct {
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
}

type mRef struct {
	Name    string  `json:"name"`
	Package *string `json:"package"`
	Version *string `json:"version"`
}

type mColumn struct {
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Meta        map[string]any   `json:"meta"`
	DataType    *string          `json:"data_type"`
	Constraints []map[string]any `json:"constraints"`
	Quote       *bool            `json:"quote"`
	Tags        []string         `json:"tags"`
	Config      map[string]any   `json:"config"`
	Granularity any              `json:"granularity"`
	Dimension   any              `json:"dimension"`
	Entity      any              `json:"entity"`
	DocBlocks   []string         `json:"doc_blocks"`
}

type mTestMeta struct {
	Name      string         `json:"name"`
	Kwargs    map[string]any `json:"kwargs"`
	Namespace *string        `json:"namespace"`
}

type mNode struct {
	Database         *string        `json:"database"`
	Schema           string         `json:"schema"`
	Name             string         `json:"name"`
	ResourceType     string         `json:"resource_type"`
	PackageName      string         `json:"package_name"`
	Path             string         `json:"path"`
	OriginalFilePath string         `json:"original_file_path"`
	UniqueID         string         `json:"unique_id"`
	FQN              []string       `json:"fqn"`
	Alias            string         `json:"alias"`
	Checksum         mChecksum      `json:"checksum"`
	Config           map[string]any `json:"config"`
	Tags             []string       `json:"tags"`
	Description      string         `json:"description"`
	Columns          mColumns       `json:"columns"`
	Meta             map[string]any `json:"meta"`
	Group            *string        `json:"group"`
	Docs             map[string]any `json:"docs"`
	PatchPath        *string        `json:"patch_path"`
	BuildPath        *string        `json:"build_path"`
	UnrenderedConfig map[string]any `json:"unrendered_config"`
	CreatedAt        float64        `json:"created_at"`
	RelationName     *string        `json:"relation_name"`
	RawCode          string         `json:"raw_code"`
	DocBlocks        []string       `json:"doc_blocks"`
	DependsOn        any            `json:"depends_on"` // seeds list only macros
	*mSeed
	*mCode
	*mModel
	*mTest
	Dataops map[string]any `json:"dataops,omitempty"`
}

// mSeed holds what only seeds have.
type mSeed struct {
	RootPath *string `json:"root_path"`
}

// mCode holds what every node with SQL has (models, snapshots, tests, analyses).
type mCode struct {
	Language          string         `json:"language"`
	Refs              []mRef         `json:"refs"`
	Sources           [][]string     `json:"sources"`
	Metrics           [][]string     `json:"metrics"`
	Functions         []any          `json:"functions"`
	CompiledPath      *string        `json:"compiled_path"`
	Compiled          bool           `json:"compiled"`
	CompiledCode      *string        `json:"compiled_code"`
	ExtraCTEsInjected bool           `json:"extra_ctes_injected"`
	ExtraCTEs         []any          `json:"extra_ctes"`
	Contract          map[string]any `json:"contract"`
}

// mModel holds what only models have.
type mModel struct {
	Access          string   `json:"access"`
	Constraints     []any    `json:"constraints"`
	Version         *string  `json:"version"`
	LatestVersion   *string  `json:"latest_version"`
	DeprecationDate *string  `json:"deprecation_date"`
	PrimaryKey      []string `json:"primary_key"`
	TimeSpine       any      `json:"time_spine"`
}

// mTest holds what only generic tests have.
type mTest struct {
	ColumnName   *string    `json:"column_name"`
	FileKeyName  *string    `json:"file_key_name"`
	AttachedNode *string    `json:"attached_node"`
	TestMetadata *mTestMeta `json:"test_metadata"`
}

type mSource struct {
	Database          *string        `json:"database"`
	Schema            string         `json:"schema"`
	Name              string         `json:"name"`
	ResourceType      string         `json:"resource_type"`
	PackageName       string         `json:"package_name"`
	Path              string         `json:"path"`
	OriginalFilePath  string         `json:"original_file_path"`
	UniqueID          string         `json:"unique_id"`
	FQN               []string       `json:"fqn"`
	SourceName        string         `json:"source_name"`
	SourceDescription string         `json:"source_description"`
	Loader            string         `json:"loader"`
	Identifier        string         `json:"identifier"`
	Quoting           map[string]any `json:"quoting"`
	LoadedAtField     *string        `json:"loaded_at_field"`
	Freshness         map[string]any `json:"freshness"`
	External          any            `json:"external"`
	Description       string         `json:"description"`
	Columns           mColumns       `json:"columns"`
	Meta              map[string]any `json:"meta"`
	SourceMeta        map[string]any `json:"source_meta"`
	Tags              []string       `json:"tags"`
	Config            map[string]any `json:"config"`
	PatchPath         *string        `json:"patch_path"`
	UnrenderedConfig  map[string]any `json:"unrendered_config"`
	UnrenderedDB      *string        `json:"unrendered_database"`
	UnrenderedSchema  *string        `json:"unrendered_schema"`
	LoadedAtQuery     *string        `json:"loaded_at_query"`
	DocBlocks         []string       `json:"doc_blocks"`
	CreatedAt         float64        `json:"created_at"`
	RelationName      string         `json:"relation_name"`
	Dataops           map[string]any `json:"dataops,omitempty"`
}

type mExposure struct {
	Name             string         `json:"name"`
	ResourceType     string         `json:"resource_type"`
	PackageName      string         `json:"package_name"`
	Path             string         `json:"path"`
	OriginalFilePath string         `json:"original_file_path"`
	UniqueID         string         `json:"unique_id"`
	FQN              []string       `json:"fqn"`
	Type             string         `json:"type"`
	Owner            map[string]any `json:"owner"`
	Description      string         `json:"description"`
	Maturity         *string        `json:"maturity"`
	Meta             map[string]any `json:"meta"`
	Tags             []string       `json:"tags"`
	Config           map[string]any `json:"config"`
	URL              *string        `json:"url"`
	DependsOn        DependsOn      `json:"depends_on"`
	Refs             []mRef         `json:"refs"`
	Sources          [][]string     `json:"sources"`
	Metrics          [][]string     `json:"metrics"`
}

type mMacro struct {
	Name             string         `json:"name"`
	ResourceType     string         `json:"resource_type"`
	PackageName      string         `json:"package_name"`
	Path             string         `json:"path"`
	OriginalFilePath string         `json:"original_file_path"`
	UniqueID         string         `json:"unique_id"`
	MacroSQL         string         `json:"macro_sql"`
	DependsOn        map[string]any `json:"depends_on"`
	Description      string         `json:"description"`
	Meta             map[string]any `json:"meta"`
	Docs             map[string]any `json:"docs"`
	PatchPath        *string        `json:"patch_path"`
	Arguments        []any          `json:"arguments"`
	Config           map[string]any `json:"config"`
	CreatedAt        float64        `json:"created_at"`
	SupportedLangs   []string       `json:"supported_languages"`
}

type mDoc struct {
	Name             string `json:"name"`
	ResourceType     string `json:"resource_type"`
	PackageName      string `json:"package_name"`
	Path             string `json:"path"`
	OriginalFilePath string `json:"original_file_path"`
	UniqueID         string `json:"unique_id"`
	BlockContents    string `json:"block_contents"`
}

type manifest struct {
	Metadata       mMetadata             `json:"metadata"`
	Nodes          map[string]*mNode     `json:"nodes"`
	Sources        map[string]*mSource   `json:"sources"`
	Macros         map[string]*mMacro    `json:"macros"`
	Docs           map[string]*mDoc      `json:"docs"`
	Exposures      map[string]*mExposure `json:"exposures"`
	Metrics        map[string]any        `json:"metrics"`
	Groups         map[string]any        `json:"groups"`
	Selectors      map[string]any        `json:"selectors"`
	Disabled       map[string][]any      `json:"disabled"`
	ParentMap      map[string][]string   `json:"parent_map"`
	ChildMap       map[string][]string   `json:"child_map"`
	GroupMap       map[string][]string   `json:"group_map"`
	SavedQueries   map[string]any        `json:"saved_queries"`
	SemanticModels map[string]any        `json:"semantic_models"`
	UnitTests      map[string]any        `json:"unit_tests"`
	Functions      map[string]any        `json:"functions"`
	Dataops        map[string]any        `json:"dataops"`
}

// WriteManifest writes the project as a dbt manifest.json (schema v12): nodes (models, seeds,
// snapshots, tests, analyses), sources, exposures, macros, docs, disabled, parent_map and
// child_map. Groups, metrics, semantic models, saved queries and unit tests are kept as written
// in the property files. Our own additions are under "dataops" keys. The JSON is compact, as
// dbt writes it; WriteManifestIndent writes it indented.
func WriteManifest(w io.Writer, p *Project) error { return writeManifest(w, p, false) }

// WriteManifestIndent is WriteManifest with one-space indentation, for people and diffs.
func WriteManifestIndent(w io.Writer, p *Project) error { return writeManifest(w, p, true) }

func writeManifest(w io.Writer, p *Project, indent bool) error {
	_, err := writeManifestAt(w, p, indent, p.GeneratedAt)
	return err
}

// writeManifestAt writes the manifest as generated at the time at, and returns how many
// entries carry a created_at.
func writeManifestAt(w io.Writer, p *Project, indent bool, at time.Time) (int, error) {
	created := float64(at.UnixNano()) / 1e9
	m := &manifest{
		Metadata: mMetadata{
			DbtSchemaVersion: ManifestSchema, DbtVersion: DbtVersion, GeneratedAt: at.UTC().Format(time.RFC3339Nano),
			Env: map[string]string{}, ProjectName: p.Name, ProjectID: projectID(p.Name), AdapterType: p.Adapter,
			RunStartedAt: at.UTC().Format(time.RFC3339Nano),
		},
		Metrics: map[string]any{}, Groups: map[string]any{}, Selectors: map[string]any{},
		ParentMap: p.ParentMap, ChildMap: p.ChildMap, GroupMap: map[string][]string{},
		SavedQueries: map[string]any{}, SemanticModels: map[string]any{}, UnitTests: map[string]any{}, Functions: map[string]any{},
	}
	q := QuotePolicy(p.Adapter, p.Quoting)
	m.Metadata.Quoting = map[string]any{"database": q.Database, "schema": q.Schema, "identifier": q.Identifier, "column": nil}
	for kind, entries := range p.Unparsed {
		var dst map[string]any
		prefix := kind
		switch kind {
		case "metrics":
			dst, prefix = m.Metrics, "metric"
		case "groups":
			dst, prefix = m.Groups, "group"
		case "semantic_models":
			dst, prefix = m.SemanticModels, "semantic_model"
		case "saved_queries":
			dst, prefix = m.SavedQueries, "saved_query"
		case "unit_tests":
			dst, prefix = m.UnitTests, "unit_test"
		default:
			continue
		}
		for _, e := range entries {
			name, _ := e["name"].(string)
			pkg, _ := e["package_name"].(string)
			if name == "" {
				continue
			}
			id := prefix + "." + pkg + "." + name
			if kind == "unit_tests" {
				if model, ok := e["model"].(string); ok {
					id = prefix + "." + pkg + "." + model + "." + name
				}
			}
			dst[id] = e
		}
	}
	diags := p.Diagnostics
	if diags == nil {
		diags = []Diagnostic{}
	}
	m.Dataops = map[string]any{"diagnostics": diags, "target": targetInfo(p.Target)}
	stamped := manifestStamped(p)
	bw := bufio.NewWriterSize(w, 1<<16)
	if indent {
		m.Nodes, m.Sources, m.Macros, m.Docs = map[string]*mNode{}, map[string]*mSource{}, map[string]*mMacro{}, map[string]*mDoc{}
		m.Exposures, m.Disabled = map[string]*mExposure{}, map[string][]any{}
		for id, n := range p.Nodes {
			m.Nodes[id] = manifestNode(n, created)
		}
		for id := range disabledIDs(p) {
			m.Disabled[id] = manifestDisabled(p, id, created)
		}
		for id, s := range p.Sources {
			m.Sources[id] = manifestSource(s, created)
		}
		for id, e := range p.Exposures {
			m.Exposures[id] = manifestExposure(id, e)
		}
		for id, mac := range p.Macros {
			m.Macros[id] = manifestMacro(id, mac, created)
		}
		for id, d := range p.Docs {
			m.Docs[id] = manifestDoc(id, d)
		}
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(m); err != nil {
			return 0, err
		}
		return stamped, bw.Flush()
	}
	if err := streamManifest(bw, m, p, created); err != nil {
		return 0, err
	}
	return stamped, bw.Flush()
}

// manifestStamped is how many entries of p's manifest carry a created_at.
func manifestStamped(p *Project) int {
	n := len(p.Nodes) + len(p.Sources) + len(p.Macros) + len(p.DisabledSources)
	for _, l := range p.Disabled {
		n += len(l)
	}
	return n
}

// disabledIDs is the keys of the manifest's "disabled": the ids with a disabled node or
// source.
func disabledIDs(p *Project) map[string]bool {
	ids := make(map[string]bool, len(p.Disabled)+len(p.DisabledSources))
	for id, list := range p.Disabled {
		if len(list) > 0 {
			ids[id] = true
		}
	}
	for id := range p.DisabledSources {
		ids[id] = true
	}
	return ids
}

// manifestDisabled is the manifest's "disabled" entry of id: its nodes, then its source.
func manifestDisabled(p *Project, id string, created float64) []any {
	var out []any
	for _, n := range p.Disabled[id] {
		out = append(out, manifestNode(n, created))
	}
	if s, ok := p.DisabledSources[id]; ok {
		out = append(out, manifestSource(s, created))
	}
	return out
}

func manifestExposure(id string, e *ExposureNode) *mExposure {
	return &mExposure{
		Name: e.Name, ResourceType: Exposure, PackageName: e.Package, Path: e.OriginalFilePath,
		OriginalFilePath: e.OriginalFilePath, UniqueID: id, FQN: e.FQN, Type: e.Type, Owner: orEmpty(e.Owner),
		Description: e.Description, Maturity: strPtr(e.Maturity), Meta: orEmpty(e.Meta), Tags: orEmptyList(e.Tags),
		Config: orEmpty(e.Config), URL: strPtr(e.URL), DependsOn: e.DependsOn, Refs: manifestRefs(e.Refs),
		Sources: manifestSources(e.SourceRefs), Metrics: [][]string{},
	}
}

func manifestMacro(id string, mac *Macro, created float64) *mMacro {
	return &mMacro{
		Name: mac.Name, ResourceType: MacroRT, PackageName: mac.Package, Path: mac.OriginalFilePath,
		OriginalFilePath: mac.OriginalFilePath, UniqueID: id, MacroSQL: mac.SQL,
		DependsOn: map[string]any{"macros": []string{}}, Description: mac.Description, Meta: map[string]any{},
		Docs: map[string]any{"show": true, "node_color": nil}, PatchPath: strPtr(mac.PatchPath), Arguments: []any{},
		Config: map[string]any{"meta": map[string]any{}, "docs": map[string]any{"show": true, "node_color": nil}}, CreatedAt: created,
	}
}

func manifestDoc(id string, d *Doc) *mDoc {
	return &mDoc{Name: d.Name, ResourceType: "doc", PackageName: d.Package, Path: d.OriginalFilePath,
		OriginalFilePath: d.OriginalFilePath, UniqueID: id, BlockContents: d.Content}
}

// streamManifest writes the manifest compactly one entry at a time, each entry built from the
// project only when it is written, so a large project is never held in memory as a whole JSON
// document nor as a whole manifest. The output is what encoding/json writes for the manifest
// struct: the same key order, map keys sorted (an entry's columns in their property file's
// order, as dbt writes them).
func streamManifest(w *bufio.Writer, m *manifest, p *Project, created float64) error {
	var err error
	put := func(s string) {
		if err == nil {
			_, err = w.WriteString(s)
		}
	}
	val := func(v any) {
		if err != nil {
			return
		}
		var b []byte
		b, err = gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
		if err == nil {
			_, err = w.Write(b)
		}
	}
	key := func(k string, first bool) {
		if !first {
			put(",")
		}
		val(k)
		put(":")
	}
	putMap := func(name string, keys []string, get func(string) any) {
		key(name, false)
		put("{")
		for i, k := range keys {
			key(k, i == 0)
			val(get(k))
		}
		put("}")
	}
	put("{")
	key("metadata", true)
	val(m.Metadata)
	putMap("nodes", slices.Sorted(maps.Keys(p.Nodes)), func(k string) any { return manifestNode(p.Nodes[k], created) })
	putMap("sources", slices.Sorted(maps.Keys(p.Sources)), func(k string) any { return manifestSource(p.Sources[k], created) })
	putMap("macros", slices.Sorted(maps.Keys(p.Macros)), func(k string) any { return manifestMacro(k, p.Macros[k], created) })
	putMap("docs", slices.Sorted(maps.Keys(p.Docs)), func(k string) any { return manifestDoc(k, p.Docs[k]) })
	putMap("exposures", slices.Sorted(maps.Keys(p.Exposures)), func(k string) any { return manifestExposure(k, p.Exposures[k]) })
	for _, kv := range []struct {
		name string
		v    any
	}{
		{"metrics", m.Metrics}, {"groups", m.Groups}, {"selectors", m.Selectors},
	} {
		key(kv.name, false)
		val(kv.v)
	}
	putMap("disabled", slices.Sorted(maps.Keys(disabledIDs(p))), func(k string) any { return manifestDisabled(p, k, created) })
	// The graph's maps are as large as the nodes: written one key at a time too.
	for _, g := range []struct {
		name string
		m    map[string][]string
	}{{"parent_map", m.ParentMap}, {"child_map", m.ChildMap}} {
		if g.m == nil {
			key(g.name, false)
			put("null")
			continue
		}
		putMap(g.name, slices.Sorted(maps.Keys(g.m)), func(k string) any { return g.m[k] })
	}
	for _, kv := range []struct {
		name string
		v    any
	}{
		{"group_map", m.GroupMap},
		{"saved_queries", m.SavedQueries}, {"semantic_models", m.SemanticModels}, {"unit_tests", m.UnitTests},
		{"functions", m.Functions}, {"dataops", m.Dataops},
	} {
		key(kv.name, false)
		val(kv.v)
	}
	put("}\n")
	return err
}

func targetInfo(t *Target) map[string]any {
	if t == nil {
		return nil
	}
	// Only what names relations: a profile may hold secrets.
	return map[string]any{"name": t.Name, "type": t.Type, "database": t.Database, "schema": t.Schema}
}

func manifestNode(n *Node, created float64) *mNode {
	mn := &mNode{
		Database: strPtr(n.Database), Schema: n.Schema, Name: n.Name, ResourceType: n.ResourceType, PackageName: n.Package,
		Path: n.Path, OriginalFilePath: n.OriginalFilePath, UniqueID: n.UniqueID, FQN: n.FQN, Alias: n.Alias,
		Checksum: mChecksum{Name: "sha256", Checksum: sha256hex(n.RawCode)}, Config: orEmpty(n.Config),
		Tags: orEmptyList(n.Tags), Description: n.Description, Columns: manifestColumns(n.Columns), Meta: orEmpty(n.Meta),
		Group: strPtr(configString(n.Config, "group")), PatchPath: strPtr(n.PatchPath), UnrenderedConfig: map[string]any{},
		CreatedAt: created, RelationName: strPtr(n.RelationName), RawCode: n.RawCode, DocBlocks: []string{},
	}
	if d, ok := n.Config["docs"].(map[string]any); ok {
		mn.Docs = d
	} else {
		mn.Docs = map[string]any{"show": true, "node_color": nil}
	}
	if n.ResourceType == Seed {
		mn.Checksum = mChecksum{Name: "path", Checksum: n.OriginalFilePath}
		mn.mSeed = &mSeed{RootPath: strPtr(n.FilePath)}
		mn.DependsOn = map[string]any{"macros": orEmptyList(n.DependsOn.Macros)}
	} else {
		c := &mCode{
			Language: n.Language, Refs: manifestRefs(n.Refs), Sources: manifestSources(n.SourceRefs), Metrics: [][]string{},
			Functions: []any{},
			Compiled:  n.Compiled, ExtraCTEsInjected: n.Compiled, ExtraCTEs: []any{},
			Contract: map[string]any{"enforced": false, "alias_types": true, "checksum": nil},
		}
		if ct, ok := n.Config["contract"].(map[string]any); ok {
			for k, v := range ct {
				c.Contract[k] = v
			}
		}
		if n.Compiled {
			cc := n.CompiledCode
			c.CompiledCode = &cc
		}
		mn.mCode = c
		mn.DependsOn = DependsOn{Nodes: orEmptyList(n.DependsOn.Nodes), Macros: orEmptyList(n.DependsOn.Macros)}
	}
	if n.ResourceType == Model {
		acc := configString(n.Config, "access")
		if acc == "" {
			acc = "protected"
		}
		mn.mModel = &mModel{Access: acc, Constraints: []any{}, Version: strPtr(n.Version), LatestVersion: strPtr(n.LatestVersion), PrimaryKey: []string{}}
	}
	if tm := n.TestMeta; tm != nil {
		mn.mTest = &mTest{
			ColumnName: strPtr(tm.ColumnName), AttachedNode: strPtr(tm.AttachedNode),
			TestMetadata: &mTestMeta{Name: tm.Name, Kwargs: tm.Kwargs, Namespace: strPtr(tm.Namespace)},
		}
		if n.Patch != nil {
			mn.mTest.FileKeyName = strPtr(n.Patch.FileKey)
		}
		mn.Checksum = mChecksum{Name: "none", Checksum: ""}
	}
	extra := map[string]any{"rel_path": n.RelPath}
	if n.SeedColumns != nil {
		extra["seed_columns"] = n.SeedColumns
	}
	if n.Template.Line > 0 {
		extra["template_line"] = n.Template.Line + 1
	}
	if n.Patch != nil {
		extra["patch"] = map[string]any{"file": n.Patch.File, "line": n.Patch.Pos.Line, "key": n.Patch.Key}
	}
	mn.Dataops = extra
	return mn
}

func manifestSource(s *Source, created float64) *mSource {
	ms := &mSource{
		Database: strPtr(s.Database), Schema: s.Schema, Name: s.Name, ResourceType: SourceRT, PackageName: s.Package,
		Path: s.OriginalFilePath, OriginalFilePath: s.OriginalFilePath, UniqueID: s.UniqueID, FQN: s.FQN,
		SourceName: s.SourceName, SourceDescription: s.SourceDescription, Loader: s.Loader, Identifier: s.Identifier,
		Quoting: orEmpty(s.Quoting), LoadedAtField: strPtr(s.LoadedAtField), Freshness: s.Freshness, External: s.External,
		Description: s.Description, Columns: manifestColumns(s.Columns), Meta: orEmpty(s.Meta), SourceMeta: map[string]any{},
		Tags: orEmptyList(s.Tags), Config: orEmpty(s.Config), PatchPath: strPtr(s.PatchPath), RelationName: s.RelationName,
		UnrenderedConfig: map[string]any{}, DocBlocks: []string{}, CreatedAt: created,
		Dataops: map[string]any{"line": s.Pos.Line},
	}
	return ms
}

func manifestColumns(cols []*Column) mColumns {
	var out mColumns
	for _, c := range cols {
		mc := &mColumn{
			Name: c.Name, Description: c.Description, Meta: orEmpty(c.Meta), DataType: strPtr(c.DataType),
			Constraints: c.Constraints, Quote: c.Quote, Tags: orEmptyList(c.Tags), Config: orEmpty(c.Config),
			DocBlocks: []string{},
		}
		if mc.Constraints == nil {
			mc.Constraints = []map[string]any{}
		}
		out.add(mc)
	}
	return out
}

func manifestRefs(refs []jinja.Ref) []mRef {
	out := make([]mRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, mRef{Name: r.Name, Package: strPtr(r.Package), Version: strPtr(r.Version)})
	}
	return out
}

func manifestSources(srcs []jinja.SourceRef) [][]string {
	out := make([][]string, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, []string{s.Source, s.Table})
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func sha256hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func projectID(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// SortedDiagnostics returns diagnostics ordered by severity (errors first), then position.
func SortedDiagnostics(ds []Diagnostic) []Diagnostic {
	out := append([]Diagnostic(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Severity == "error") != (out[j].Severity == "error") {
			return out[i].Severity == "error"
		}
		return false
	})
	return out
}
