package dbt

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/dataops-dev/dataops/internal/cache"
)

// treeConfig collects the configs a dbt_project.yml tree (`models:`, `seeds:`, ...) gives the
// node with this fqn, walking the tree along the fqn as dbt does: at each level, `+key` entries
// and non-mapping entries are configs; other mappings are folders (or packages, or node names).
func treeConfig(dst map[string]any, tree map[string]any, fqn []string) {
	level := tree
	applyLevel(dst, level)
	for _, part := range fqn {
		next, ok := level[part].(map[string]any)
		if !ok {
			return
		}
		applyLevel(dst, next)
		level = next
	}
}

func applyLevel(dst, level map[string]any) {
	// Deterministic order: configs at one level do not conflict, but merges append.
	for _, k := range slices.Sorted(maps.Keys(level)) {
		v := level[k]
		if strings.HasPrefix(k, "+") {
			mergeConfigKey(dst, normalizeConfigKey(strings.TrimSpace(k[1:])), v)
		} else if _, isMap := v.(map[string]any); !isMap {
			mergeConfigKey(dst, normalizeConfigKey(k), v)
		}
	}
}

// normalizeConfigKey maps aliases dbt accepts to the name it writes in the manifest.
func normalizeConfigKey(k string) string {
	switch k {
	case "pre_hook":
		return "pre-hook"
	case "post_hook":
		return "post-hook"
	case "dataset":
		return "schema"
	case "project":
		return "database"
	}
	return k
}

// mergeConfig merges src over dst with dbt's merge behaviours.
func mergeConfig(dst, src map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		mergeConfigKey(dst, normalizeConfigKey(k), src[k])
	}
}

// mergeConfigKey sets one config key with dbt's merge behaviour: tags and hooks append, dict
// configs (meta, docs, persist_docs, quoting, column_types, grants) update key by key, anything
// else replaces.
func mergeConfigKey(dst map[string]any, k string, v any) {
	switch k {
	case "tags":
		dst[k] = unionStrings(toStrings(dst[k]), toStrings(v))
	case "pre-hook", "post-hook":
		cur, _ := dst[k].([]any)
		for _, h := range hookList(v) {
			dup := false
			for _, c := range cur {
				if reflect.DeepEqual(c, h) {
					dup = true
					break
				}
			}
			if !dup {
				cur = append(cur, h)
			}
		}
		if cur == nil {
			cur = []any{}
		}
		dst[k] = cur
	case "meta", "docs", "persist_docs", "quoting", "column_types", "grants", "contract":
		src, ok := v.(map[string]any)
		if !ok {
			dst[k] = v
			return
		}
		cur, _ := dst[k].(map[string]any)
		merged := make(map[string]any, len(cur)+len(src))
		for kk, vv := range cur {
			merged[kk] = vv
		}
		for kk, vv := range src {
			merged[kk] = vv
		}
		dst[k] = merged
	default:
		dst[k] = v
	}
}

func hookList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	default:
		return []any{x}
	}
}

// toStrings reads a string or a list of strings.
func toStrings(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	default:
		return []string{fmt.Sprint(x)}
	}
}

func unionStrings(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	seen := make(map[string]bool, len(a)+len(b))
	for _, l := range [][]string{a, b} {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// cloneConfig copies a config map one level deep (nested maps and lists are copied too, so
// merging into the copy never changes a shared tree).
func cloneConfig(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+8)
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, vv := range x {
			out[k] = cloneValue(vv)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			out[i] = cloneValue(vv)
		}
		return out
	case []string:
		// Never nil: an empty list is written [] in the manifest (tags), nil null.
		return append(make([]string, 0, len(x)), x...)
	}
	return v
}

// configBool reads a boolean config that may be written as a string ("false").
func configBool(m map[string]any, k string, def bool) bool {
	switch v := m[k].(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "false", "no", "0", "off":
			return false
		case "true", "yes", "1", "on":
			return true
		}
	case int64:
		return v != 0
	case int:
		return v != 0
	}
	return def
}

func configString(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Most nodes' configs are equal to others' (the models of one folder; the generic tests of one
// severity, and a large project has more tests than models: a 20,000-model project some
// 50,000): once a node's config is final (finalize), a load gives the nodes of equal configs
// one map, as a restored snapshot does (snapshot_codec.go), instead of a map of sixteen to
// twenty-five keys and its nested maps each. A shared map is never written to: the places of
// the load that change a node's config after that (a config() in a generic test's render, a
// test disabled with its model) take a copy first (sharedConfigs.own); a rebuilt node gets a
// fresh config (projectConfig).
type sharedConfigs struct {
	mu    sync.Mutex
	byKey map[cache.Key]map[string]any
	maps  map[unsafe.Pointer]bool // the maps byKey holds
}

// shareConfig gives n the config equal to its own that a node before it has, if any; the
// tags and meta finalize took from its config are then the shared map's.
func (l *loader) shareConfig(n *Node) {
	c := l.configs.share(n.Config)
	if c == nil || reflect.ValueOf(c).UnsafePointer() == reflect.ValueOf(n.Config).UnsafePointer() {
		return
	}
	n.Config = c
	if m, ok := c["meta"].(map[string]any); ok {
		n.Meta = m
	}
	if t, ok := c["tags"].([]string); ok {
		n.Tags = t
	}
}

// share returns the map equal to cfg given before, or cfg, from now on shared.
func (s *sharedConfigs) share(cfg map[string]any) map[string]any {
	if cfg == nil {
		return nil
	}
	// Equal values hash alike and values of another type or shape never do (cache.Hasher).
	k := cache.NewHasher("config").Value(cfg).Sum()
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.byKey[k]; ok {
		return m
	}
	if s.byKey == nil {
		s.byKey, s.maps = map[cache.Key]map[string]any{}, map[unsafe.Pointer]bool{}
	}
	s.byKey[k] = cfg
	s.maps[reflect.ValueOf(cfg).UnsafePointer()] = true
	return cfg
}

// own returns cfg, or a copy of it to write to when it is shared.
func (s *sharedConfigs) own(cfg map[string]any) map[string]any {
	if cfg == nil {
		return nil
	}
	s.mu.Lock()
	shared := s.maps[reflect.ValueOf(cfg).UnsafePointer()]
	s.mu.Unlock()
	if shared {
		return cloneConfig(cfg)
	}
	return cfg
}
