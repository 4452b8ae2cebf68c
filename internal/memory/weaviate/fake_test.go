package weaviate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
	"github.com/dataops-dev/dataops/internal/memory/terms"
)

// fake is an in-process Weaviate: the v1 REST and GraphQL endpoints the store calls, with
// the real server's checks: bearer token, class and property names and data types,
// vectorizer none with our vectors of one length per class, UUID object IDs, per-object
// batch errors, and GraphQL parsed for real (gqlparser) with the Get and Aggregate
// arguments validated: nearVector, bm25 over searchable text properties, where filters
// (operators, paths of filterable properties, value types), limit, requested fields.
type fake struct {
	key     string
	faults  remotetest.Faults
	mu      sync.Mutex
	classes map[string]*class
	queries []string
}

type class struct {
	def     map[string]any
	props   map[string]property
	dim     int
	objects map[string]object_
}

type property struct {
	dataType     string
	tokenization string
	searchable   bool
	filterable   bool
}

type object_ struct {
	props  map[string]any
	vector []float32
}

func newFake(key string) *fake { return &fake{key: key, classes: map[string]*class{}} }

type werr struct {
	status int
	msg    string
}

func unprocessable(format string, args ...any) *werr {
	return &werr{http.StatusUnprocessableEntity, fmt.Sprintf(format, args...)}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.faults.Serve(w) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		remotetest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "anonymous access not enabled, please provide an auth scheme such as OIDC"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res, e := f.route(r)
	if e != nil {
		remotetest.WriteJSON(w, e.status, map[string]any{"error": []any{map[string]string{"message": e.msg}}})
		return
	}
	if res == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	remotetest.WriteJSON(w, http.StatusOK, res)
}

var (
	classRe = regexp.MustCompile(`^[A-Z][_0-9A-Za-z]*$`)
	propRe  = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)
)

func (f *fake) route(r *http.Request) (any, *werr) {
	switch {
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/schema/"):
		c := f.classes[strings.TrimPrefix(r.URL.Path, "/v1/schema/")]
		if c == nil {
			return nil, &werr{http.StatusNotFound, "class not found"}
		}
		return c.def, nil
	case r.Method == "POST" && r.URL.Path == "/v1/schema":
		return f.createClass(r)
	case r.Method == "POST" && r.URL.Path == "/v1/batch/objects":
		return f.batchImport(r)
	case r.Method == "DELETE" && r.URL.Path == "/v1/batch/objects":
		return f.batchDelete(r)
	case r.Method == "POST" && r.URL.Path == "/v1/graphql":
		var req struct {
			Query         string         `json:"query"`
			OperationName string         `json:"operationName"`
			Variables     map[string]any `json:"variables"`
		}
		if err := remotetest.DecodeStrict(r, &req); err != nil {
			return nil, unprocessable("%v", err)
		}
		f.queries = append(f.queries, req.Query)
		data, err := f.graphql(req.Query)
		if err != nil {
			return map[string]any{"data": nil, "errors": []any{map[string]any{"message": err.Error()}}}, nil
		}
		return map[string]any{"data": data}, nil
	}
	return nil, &werr{http.StatusNotFound, "no route"}
}

var dataTypes = []string{"text", "text[]", "int", "number", "boolean", "date", "uuid"}

func (f *fake) createClass(r *http.Request) (any, *werr) {
	var req struct {
		Class               string         `json:"class"`
		Description         string         `json:"description"`
		Vectorizer          string         `json:"vectorizer"`
		VectorIndexType     string         `json:"vectorIndexType"`
		VectorIndexConfig   map[string]any `json:"vectorIndexConfig"`
		InvertedIndexConfig map[string]any `json:"invertedIndexConfig"`
		Properties          []struct {
			Name            string   `json:"name"`
			DataType        []string `json:"dataType"`
			Tokenization    string   `json:"tokenization"`
			IndexSearchable *bool    `json:"indexSearchable"`
			IndexFilterable *bool    `json:"indexFilterable"`
		} `json:"properties"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, unprocessable("%v", err)
	}
	if !classRe.MatchString(req.Class) {
		return nil, unprocessable("'%s' is not a valid class name", req.Class)
	}
	if f.classes[req.Class] != nil {
		return nil, unprocessable("class name %q already exists", req.Class)
	}
	if req.Vectorizer != "none" {
		return nil, unprocessable("this fake has no vectorizer modules: vectorizer %q", req.Vectorizer)
	}
	if d := req.VectorIndexConfig["distance"]; !slices.Contains([]any{"cosine", "dot", "l2-squared", "hamming", "manhattan"}, d) {
		return nil, unprocessable("invalid distance %v", d)
	}
	c := &class{props: map[string]property{}, objects: map[string]object_{}}
	for _, p := range req.Properties {
		if !propRe.MatchString(p.Name) || slices.Contains([]string{"_additional", "_id", "id"}, p.Name) {
			return nil, unprocessable("'%s' is not a valid property name", p.Name)
		}
		if len(p.DataType) != 1 || !slices.Contains(dataTypes, p.DataType[0]) {
			return nil, unprocessable("property %s: unknown data type %v", p.Name, p.DataType)
		}
		tok := p.Tokenization
		if p.DataType[0] == "text" && tok == "" {
			tok = "word"
		}
		if tok != "" && (p.DataType[0] != "text" || !slices.Contains([]string{"word", "lowercase", "whitespace", "field", "trigram"}, tok)) {
			return nil, unprocessable("property %s: tokenization %q", p.Name, tok)
		}
		prop := property{dataType: p.DataType[0], tokenization: tok, searchable: p.DataType[0] == "text", filterable: true}
		if p.IndexSearchable != nil {
			prop.searchable = *p.IndexSearchable
		}
		if p.IndexFilterable != nil {
			prop.filterable = *p.IndexFilterable
		}
		c.props[p.Name] = prop
	}
	var def map[string]any
	b, _ := json.Marshal(req)
	json.Unmarshal(b, &def)
	c.def = def
	f.classes[req.Class] = c
	return def, nil
}

func (f *fake) batchImport(r *http.Request) (any, *werr) {
	var req struct {
		Objects []struct {
			Class      string         `json:"class"`
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Vector     []float32      `json:"vector"`
		} `json:"objects"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, unprocessable("%v", err)
	}
	out := []any{}
	for _, o := range req.Objects {
		res := map[string]any{"class": o.Class, "id": o.ID}
		if msg := f.importOne(o.Class, o.ID, o.Properties, o.Vector); msg != "" {
			res["result"] = map[string]any{"errors": map[string]any{"error": []any{map[string]string{"message": msg}}}}
		} else {
			res["result"] = map[string]any{}
		}
		out = append(out, res)
	}
	return out, nil
}

func (f *fake) importOne(className, id string, props map[string]any, vec []float32) string {
	c := f.classes[className]
	if c == nil {
		return fmt.Sprintf("class %q not found", className)
	}
	if _, err := uuid.Parse(id); err != nil {
		return fmt.Sprintf("id %q is not a valid uuid", id)
	}
	if len(vec) == 0 {
		return "vectorizer none needs a vector"
	}
	if c.dim != 0 && len(vec) != c.dim {
		return fmt.Sprintf("new node has a vector with length %d. Existing nodes have vectors with length %d", len(vec), c.dim)
	}
	for name, v := range props {
		p, ok := c.props[name]
		if !ok {
			return fmt.Sprintf("no such prop with name '%s' found in class '%s' in the schema", name, className)
		}
		switch p.dataType {
		case "text":
			if _, ok := v.(string); !ok {
				return fmt.Sprintf("invalid text property '%s'", name)
			}
		case "int":
			if n, ok := v.(float64); !ok || n != float64(int64(n)) {
				return fmt.Sprintf("invalid integer property '%s'", name)
			}
		case "date":
			s, _ := v.(string)
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return fmt.Sprintf("invalid date property '%s': %v", name, v)
			}
		}
	}
	c.dim = len(vec)
	c.objects[id] = object_{props, vec}
	return ""
}

func (f *fake) batchDelete(r *http.Request) (any, *werr) {
	var req struct {
		Match struct {
			Class string         `json:"class"`
			Where map[string]any `json:"where"`
		} `json:"match"`
		Output string `json:"output"`
		DryRun bool   `json:"dryRun"`
	}
	if err := remotetest.DecodeStrict(r, &req); err != nil {
		return nil, unprocessable("%v", err)
	}
	c := f.classes[req.Match.Class]
	if c == nil || req.Match.Where == nil {
		return nil, unprocessable("match needs an existing class and a where filter")
	}
	w, err := c.restWhere(req.Match.Where)
	if err != nil {
		return nil, unprocessable("%v", err)
	}
	n := 0
	for id, o := range c.objects {
		if w(o.props) {
			n++
			if !req.DryRun {
				delete(c.objects, id)
			}
		}
	}
	return map[string]any{"match": req.Match, "output": req.Output, "dryRun": req.DryRun,
		"results": map[string]any{"matches": n, "limit": 10000, "successful": n, "failed": 0}}, nil
}

type predicate func(props map[string]any) bool

// restWhere compiles a where filter given as JSON (REST): operators are strings.
func (c *class) restWhere(w map[string]any) (predicate, error) {
	op, _ := w["operator"].(string)
	switch op {
	case "And", "Or":
		list, _ := w["operands"].([]any)
		return c.combine(op, len(list), func(i int) (predicate, error) {
			m, _ := list[i].(map[string]any)
			return c.restWhere(m)
		})
	}
	path, _ := w["path"].([]any)
	var value any
	var key string
	for k, v := range w {
		if strings.HasPrefix(k, "value") {
			key, value = k, v
		}
	}
	if len(path) != 1 {
		return nil, fmt.Errorf("where: path must name one property")
	}
	prop, _ := path[0].(string)
	return c.leaf(prop, op, key, value)
}

func (c *class) combine(op string, n int, sub func(int) (predicate, error)) (predicate, error) {
	if n == 0 {
		return nil, fmt.Errorf("where: operator %s needs operands", op)
	}
	var ps []predicate
	for i := range n {
		p, err := sub(i)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return func(props map[string]any) bool {
		for _, p := range ps {
			if p(props) != (op == "And") {
				return op != "And"
			}
		}
		return op == "And"
	}, nil
}

func (c *class) leaf(prop, op, valueKey string, value any) (predicate, error) {
	p, ok := c.props[prop]
	if !ok {
		return nil, fmt.Errorf("where: no such prop with name '%s' found in class", prop)
	}
	if !p.filterable {
		return nil, fmt.Errorf("where: property %s is not filterable", prop)
	}
	want := map[string]string{"text": "valueText", "int": "valueInt", "date": "valueDate", "number": "valueNumber", "boolean": "valueBoolean"}[p.dataType]
	if valueKey != want {
		return nil, fmt.Errorf("where: property %s of type %s takes %s, not %s", prop, p.dataType, want, valueKey)
	}
	switch op {
	case "Equal":
		return func(props map[string]any) bool { return props[prop] == value }, nil
	case "NotEqual":
		return func(props map[string]any) bool { return props[prop] != value }, nil
	}
	return nil, fmt.Errorf("where: operator %q not served by this fake", op)
}

// graphql answers the Get and Aggregate queries the store sends.
func (f *fake) graphql(query string) (any, error) {
	doc, gerr := parser.ParseQuery(&ast.Source{Input: query})
	if gerr != nil {
		return nil, fmt.Errorf("syntax error: %v", gerr)
	}
	if len(doc.Operations) != 1 || len(doc.Operations[0].SelectionSet) != 1 {
		return nil, fmt.Errorf("one operation with one root field, please")
	}
	root := doc.Operations[0].SelectionSet[0].(*ast.Field)
	out := map[string]any{}
	for _, sel := range root.SelectionSet {
		field := sel.(*ast.Field)
		c := f.classes[field.Name]
		if c == nil {
			return nil, fmt.Errorf("Cannot query field %q on type %q.", field.Name, root.Name+"ObjectsObj")
		}
		var res any
		var err error
		switch root.Name {
		case "Get":
			res, err = c.get(field)
		case "Aggregate":
			res, err = c.aggregate(field)
		default:
			return nil, fmt.Errorf("Cannot query field %q on type \"WeaviateObj\".", root.Name)
		}
		if err != nil {
			return nil, err
		}
		out[field.Name] = res
	}
	return map[string]any{root.Name: out}, nil
}

// value converts a GraphQL literal to Go: objects, lists, strings, numbers, enums (as enum).
func value(v *ast.Value) (any, error) {
	switch v.Kind {
	case ast.ObjectValue:
		m := map[string]any{}
		for _, ch := range v.Children {
			x, err := value(ch.Value)
			if err != nil {
				return nil, err
			}
			m[ch.Name] = x
		}
		return m, nil
	case ast.ListValue:
		var l []any
		for _, ch := range v.Children {
			x, err := value(ch.Value)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return l, nil
	case ast.StringValue, ast.BlockValue:
		return v.Raw, nil
	case ast.IntValue, ast.FloatValue:
		return strconv.ParseFloat(v.Raw, 64)
	case ast.EnumValue:
		return enum(v.Raw), nil
	case ast.BooleanValue:
		return v.Raw == "true", nil
	}
	return nil, fmt.Errorf("unsupported value %s", v.String())
}

// gqlWhere compiles a where filter given in GraphQL: operators are enums, not strings.
func (c *class) gqlWhere(w map[string]any) (predicate, error) {
	op, isEnum := w["operator"].(enum)
	if !isEnum {
		return nil, fmt.Errorf("where: operator must be an enum value, got %v", w["operator"])
	}
	switch op {
	case "And", "Or":
		list, _ := w["operands"].([]any)
		return c.combine(string(op), len(list), func(i int) (predicate, error) {
			m, _ := list[i].(map[string]any)
			return c.gqlWhere(m)
		})
	}
	path, _ := w["path"].([]any)
	if len(path) != 1 {
		return nil, fmt.Errorf("where: path must name one property")
	}
	prop, _ := path[0].(string)
	var key string
	var val any
	for k, v := range w {
		if strings.HasPrefix(k, "value") {
			key, val = k, v
		} else if k != "operator" && k != "path" {
			return nil, fmt.Errorf("where: unknown argument %s", k)
		}
	}
	return c.leaf(prop, string(op), key, val)
}

func (c *class) get(field *ast.Field) (any, error) {
	args := map[string]any{}
	for _, a := range field.Arguments {
		v, err := value(a.Value)
		if err != nil {
			return nil, err
		}
		args[a.Name] = v
	}
	keep := predicate(func(map[string]any) bool { return true })
	if w, ok := args["where"].(map[string]any); ok {
		var err error
		if keep, err = c.gqlWhere(w); err != nil {
			return nil, err
		}
	}
	limit := 10
	if l, ok := args["limit"].(float64); ok {
		limit = int(l)
	}
	offset := 0
	if o, ok := args["offset"].(float64); ok {
		offset = int(o)
	}
	for name := range args {
		if !slices.Contains([]string{"nearVector", "bm25", "where", "limit", "offset", "sort"}, name) {
			return nil, fmt.Errorf("Unknown argument %q on field %q", name, field.Name)
		}
	}
	if offset+limit > 10000 {
		return nil, fmt.Errorf("query maximum results exceeded")
	}
	var sortProp string
	if srt, ok := args["sort"].([]any); ok {
		sp, _ := srt[0].(map[string]any)
		path, _ := sp["path"].([]any)
		if len(srt) != 1 || len(path) != 1 || sp["order"] != enum("asc") {
			return nil, fmt.Errorf("sort: this fake sorts ascending by one property")
		}
		sortProp, _ = path[0].(string)
		if p, ok := c.props[sortProp]; !ok || p.dataType != "text" {
			return nil, fmt.Errorf("sort: no text property %q", sortProp)
		}
		if args["nearVector"] != nil || args["bm25"] != nil {
			return nil, fmt.Errorf("sort cannot be combined with a search")
		}
	}
	ids := make([]string, 0, len(c.objects))
	for id, o := range c.objects {
		if keep(o.props) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	type scored struct {
		id    string
		score float64
	}
	var ranked []scored
	switch {
	case args["nearVector"] != nil && args["bm25"] != nil:
		return nil, fmt.Errorf("nearVector and bm25 cannot be combined; use hybrid")
	case args["nearVector"] != nil:
		nv, _ := args["nearVector"].(map[string]any)
		raw, _ := nv["vector"].([]any)
		if len(nv) != 1 || len(raw) != c.dim {
			return nil, fmt.Errorf("nearVector: vector of length %d, class vectors have %d", len(raw), c.dim)
		}
		q := make([]float32, len(raw))
		for i, x := range raw {
			n, ok := x.(float64)
			if !ok {
				return nil, fmt.Errorf("nearVector: vector holds a non-number")
			}
			q[i] = float32(n)
		}
		for _, id := range ids {
			ranked = append(ranked, scored{id, remotetest.Cosine(q, c.objects[id].vector)})
		}
		slices.SortStableFunc(ranked, func(a, b scored) int {
			switch {
			case a.score > b.score:
				return -1
			case a.score < b.score:
				return 1
			}
			return 0
		})
	case args["bm25"] != nil:
		b, _ := args["bm25"].(map[string]any)
		query, _ := b["query"].(string)
		props, _ := b["properties"].([]any)
		if query == "" || len(props) != 1 {
			return nil, fmt.Errorf("bm25: needs a query and, here, one property")
		}
		prop, _ := props[0].(string)
		if p, ok := c.props[prop]; !ok || !p.searchable || p.dataType != "text" {
			return nil, fmt.Errorf("bm25: property %q is not a searchable text property", prop)
		}
		texts := make([]string, len(ids))
		for i, id := range ids {
			texts[i], _ = c.objects[id].props[prop].(string)
		}
		for rank, i := range terms.Rank(query, texts) {
			ranked = append(ranked, scored{ids[i], 1 / float64(rank+1)})
		}
	default:
		for _, id := range ids {
			ranked = append(ranked, scored{id, 0})
		}
		if sortProp != "" {
			key := func(r scored) string { v, _ := c.objects[r.id].props[sortProp].(string); return v }
			slices.SortStableFunc(ranked, func(a, b scored) int { return strings.Compare(key(a), key(b)) })
		}
	}
	ranked = ranked[min(offset, len(ranked)):]
	var out []any
	for _, r := range ranked[:min(limit, len(ranked))] {
		obj := map[string]any{}
		for _, sel := range field.SelectionSet {
			fld := sel.(*ast.Field)
			if fld.Name == "_additional" {
				add := map[string]any{}
				for _, s := range fld.SelectionSet {
					switch n := s.(*ast.Field).Name; n {
					case "id":
						add["id"] = r.id
					case "distance", "score":
						add[n] = r.score
					default:
						return nil, fmt.Errorf("Cannot query field %q on type \"%sAdditional\".", n, field.Name)
					}
				}
				obj["_additional"] = add
				continue
			}
			if _, ok := c.props[fld.Name]; !ok {
				return nil, fmt.Errorf("Cannot query field %q on type %q.", fld.Name, field.Name)
			}
			obj[fld.Name] = c.objects[r.id].props[fld.Name]
		}
		out = append(out, obj)
	}
	return out, nil
}

func (c *class) aggregate(field *ast.Field) (any, error) {
	var groupBy string
	for _, a := range field.Arguments {
		v, err := value(a.Value)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if a.Name != "groupBy" || !ok || len(l) != 1 {
			return nil, fmt.Errorf("Aggregate: this fake takes groupBy: [\"prop\"] only")
		}
		groupBy, _ = l[0].(string)
		if _, ok := c.props[groupBy]; !ok {
			return nil, fmt.Errorf("Aggregate: no such property %q", groupBy)
		}
	}
	counts := map[string]int{}
	for _, o := range c.objects {
		v, _ := o.props[groupBy].(string)
		counts[v]++
	}
	if groupBy == "" {
		return []any{map[string]any{"meta": map[string]int{"count": len(c.objects)}}}, nil
	}
	var out []any
	for v, n := range counts {
		out = append(out, map[string]any{"groupedBy": map[string]any{"path": []string{groupBy}, "value": v}, "meta": map[string]int{"count": n}})
	}
	return out, nil
}
