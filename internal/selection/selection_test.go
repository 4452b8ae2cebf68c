package selection

import (
	"sort"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func node(rt, pkg, name, path string, fqn []string, deps ...string) *dbt.Node {
	return &dbt.Node{UniqueID: rt + "." + pkg + "." + name, ResourceType: rt, Package: pkg, Name: name,
		RelPath: path, OriginalFilePath: path, FQN: fqn, Config: map[string]any{"materialized": "view"},
		DependsOn: dbt.DependsOn{Nodes: deps}}
}

// shop is a small graph:
//
//	seed.raw_customers -> stg_customers -> customers -> exposure dashboard
//	source shop.orders -> stg_orders    -> orders (incremental) -> customers
//	utils.helper (package model, unused)
func shop() *dbt.Project {
	p := &dbt.Project{Name: "shop", Nodes: map[string]*dbt.Node{}, Sources: map[string]*dbt.Source{}, Exposures: map[string]*dbt.ExposureNode{}}
	add := func(n *dbt.Node) *dbt.Node { p.Nodes[n.UniqueID] = n; return n }
	add(node("seed", "shop", "raw_customers", "seeds/raw_customers.csv", []string{"shop", "raw_customers"}))
	p.Sources["source.shop.shop.raw_orders"] = &dbt.Source{UniqueID: "source.shop.shop.raw_orders", Package: "shop", SourceName: "shop", Name: "raw_orders",
		FQN: []string{"shop", "staging", "shop", "raw_orders"}, OriginalFilePath: "models/staging/sources.yml"}
	sc := add(node("model", "shop", "stg_customers", "models/staging/stg_customers.sql", []string{"shop", "staging", "stg_customers"}, "seed.shop.raw_customers"))
	sc.Tags = []string{"staging"}
	so := add(node("model", "shop", "stg_orders", "models/staging/stg_orders.sql", []string{"shop", "staging", "stg_orders"}, "source.shop.shop.raw_orders"))
	so.Tags = []string{"staging", "orders"}
	o := add(node("model", "shop", "orders", "models/marts/orders.sql", []string{"shop", "marts", "orders"}, "model.shop.stg_orders"))
	o.Config["materialized"] = "incremental"
	add(node("model", "shop", "customers", "models/marts/customers.sql", []string{"shop", "marts", "customers"}, "model.shop.stg_customers", "model.shop.orders"))
	add(node("model", "utils", "helper", "dbt_packages/utils/models/helper.sql", []string{"utils", "helper"}))
	nn := add(node("test", "shop", "not_null_customers_id", "models/marts/schema.yml", []string{"shop", "marts", "not_null_customers_id"}, "model.shop.customers"))
	nn.TestMeta = &dbt.TestMetadata{Name: "not_null", AttachedNode: "model.shop.customers", ColumnName: "id"}
	rel := add(node("test", "shop", "relationships_orders_customer_id", "models/marts/schema.yml", []string{"shop", "marts", "relationships_orders_customer_id"}, "model.shop.orders", "model.shop.customers"))
	rel.TestMeta = &dbt.TestMetadata{Name: "relationships", AttachedNode: "model.shop.orders", ColumnName: "customer_id"}
	add(node("test", "shop", "assert_positive", "tests/assert_positive.sql", []string{"shop", "assert_positive"}, "model.shop.orders"))
	p.Exposures["exposure.shop.dashboard"] = &dbt.ExposureNode{UniqueID: "exposure.shop.dashboard", Package: "shop", Name: "dashboard",
		DependsOn: dbt.DependsOn{Nodes: []string{"model.shop.customers"}}}
	return p
}

func names(set map[string]bool) string {
	var out []string
	for id := range set {
		parts := strings.Split(id, ".")
		out = append(out, parts[len(parts)-1])
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestSelect(t *testing.T) {
	p := shop()
	mod := Options{Modified: map[string]bool{"model.shop.stg_orders": true}, New: map[string]bool{"model.shop.customers": true}}
	cases := []struct {
		sel, exc []string
		opts     Options
		want     string
	}{
		{sel: []string{"customers"}, want: "customers not_null_customers_id relationships_orders_customer_id"},
		{sel: []string{"+customers"}, opts: Options{Indirect: "empty"}, want: "customers orders raw_customers raw_orders stg_customers stg_orders"},
		{sel: []string{"1+customers"}, opts: Options{Indirect: "empty"}, want: "customers orders stg_customers"},
		{sel: []string{"stg_orders+"}, opts: Options{Indirect: "empty"}, want: "assert_positive customers dashboard not_null_customers_id orders relationships_orders_customer_id stg_orders"},
		{sel: []string{"stg_orders+1"}, opts: Options{Indirect: "empty"}, want: "orders stg_orders"},
		{sel: []string{"@stg_orders"}, opts: Options{Indirect: "empty"}, want: "assert_positive customers dashboard not_null_customers_id orders raw_customers raw_orders relationships_orders_customer_id stg_customers stg_orders"},
		{sel: []string{"tag:staging"}, want: "stg_customers stg_orders"},
		{sel: []string{"tag:staging,tag:orders"}, want: "stg_orders"},
		{sel: []string{"tag:staging orders"}, opts: Options{Indirect: "empty"}, want: "orders stg_customers stg_orders"},
		{sel: []string{"path:models/staging"}, want: "raw_orders stg_customers stg_orders"},
		{sel: []string{"models/marts/orders.sql"}, opts: Options{Indirect: "empty"}, want: "orders"},
		{sel: []string{"file:orders.sql"}, opts: Options{Indirect: "empty"}, want: "orders"},
		{sel: []string{"config.materialized:incremental"}, opts: Options{Indirect: "cautious"}, want: "assert_positive orders"},
		{sel: []string{"resource_type:seed"}, want: "raw_customers"},
		{sel: []string{"source:shop"}, want: "raw_orders"},
		{sel: []string{"source:shop+1"}, opts: Options{Indirect: "empty"}, want: "raw_orders stg_orders"},
		{sel: []string{"source:shop.raw_orders"}, want: "raw_orders"},
		{sel: []string{"test_type:singular"}, want: "assert_positive"},
		{sel: []string{"test_type:generic"}, want: "not_null_customers_id relationships_orders_customer_id"},
		{sel: []string{"test_name:not_null"}, want: "not_null_customers_id"},
		{sel: []string{"shop.marts"}, opts: Options{Indirect: "empty"}, want: "customers not_null_customers_id orders relationships_orders_customer_id"},
		{sel: []string{"marts.*"}, exc: []string{"resource_type:test"}, want: "customers orders"},
		{sel: []string{"utils"}, want: "helper"},
		{sel: []string{"package:utils"}, want: "helper"},
		{sel: []string{"stg_*"}, want: "stg_customers stg_orders"},
		{sel: []string{"exposure:dashboard"}, want: "dashboard"},
		{sel: []string{"state:modified+1"}, opts: Options{Modified: mod.Modified, Indirect: "empty"}, want: "orders stg_orders"},
		{sel: []string{"state:new"}, opts: Options{New: mod.New, Indirect: "empty"}, want: "customers"},
		{sel: []string{"resource_type:model"}, exc: []string{"orders+"}, want: "helper stg_customers stg_orders"},
		{exc: []string{"resource_type:test", "resource_type:source", "resource_type:exposure", "tag:staging"}, want: "customers helper orders raw_customers"},
	}
	for _, c := range cases {
		got, err := Select(p, c.sel, c.exc, c.opts)
		if err != nil {
			t.Errorf("%v -%v: %v", c.sel, c.exc, err)
			continue
		}
		if names(got) != c.want {
			t.Errorf("%v --exclude %v = %q, want %q", c.sel, c.exc, names(got), c.want)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	for _, sel := range []string{"bogus:x", "tag:", "@+x", "a,,b", "state:unmodified", "state:modified"} {
		if _, err := Select(shop(), []string{sel}, nil, Options{}); err == nil {
			t.Errorf("%q: no error", sel)
		}
	}
}
