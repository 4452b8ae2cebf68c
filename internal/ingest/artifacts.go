package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
)

// dbt's artifacts (target/manifest.json, target/catalog.json) are read as streams: a
// manifest of a large project is hundreds of megabytes, and only descriptions, columns and
// types are wanted.

type manifestColumn struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	DataType    string `json:"data_type"`
}

type manifestNode struct {
	ResourceType string                    `json:"resource_type"`
	Name         string                    `json:"name"`
	SourceName   string                    `json:"source_name"`
	PackageName  string                    `json:"package_name"`
	Description  string                    `json:"description"`
	Columns      map[string]manifestColumn `json:"columns"`
}

// manifestRecords reads the models, seeds, snapshots and sources of packages other than the
// root project (whose descriptions the property files give first-hand): the documented
// columns of installed packages, resolved docs blocks included.
func manifestRecords(b *builder, data []byte, rootProject string) error {
	lines := newLineIndex(data)
	return eachArtifactNode(data, lines, []string{"nodes", "sources"}, func(section, uid string, line int, raw json.RawMessage) error {
		var n manifestNode
		if err := json.Unmarshal(raw, &n); err != nil {
			return &lineError{line, fmt.Sprintf("%s: %v", uid, err)}
		}
		if rootProject != "" && n.PackageName == rootProject {
			return nil
		}
		switch n.ResourceType {
		case "model", "seed", "snapshot":
		case "source":
			n.Name = n.SourceName + "." + n.Name
		default:
			return nil
		}
		extra := func(kv ...string) map[string]string {
			m := map[string]string{"origin": OriginManifest, "unique_id": uid}
			if n.PackageName != "" {
				m["package"] = n.PackageName
			}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					m[kv[i]] = kv[i+1]
				}
			}
			return m
		}
		if n.Description != "" {
			b.add(memory.KindModelDoc, "model\x00"+uid, n.Name+": "+oneLine(n.Description),
				memory.Metadata{Model: n.Name, Line: line, Extra: extra("description", n.Description)})
		}
		for _, key := range slices.Sorted(maps.Keys(n.Columns)) {
			c := n.Columns[key]
			if c.Name == "" {
				c.Name = key
			}
			if c.Description == "" {
				continue
			}
			b.add(memory.KindColumnDoc, "column\x00"+uid+"\x00"+strings.ToLower(c.Name), n.Name+"."+c.Name+": "+oneLine(c.Description),
				memory.Metadata{Model: n.Name, Column: strings.ToLower(c.Name), Line: line,
					Extra: extra("description", c.Description, "data_type", c.DataType)})
		}
		return nil
	})
}

type catalogNode struct {
	Metadata struct {
		Name    string `json:"name"`
		Comment string `json:"comment"`
	} `json:"metadata"`
	Columns map[string]struct {
		Name    string `json:"name"`
		Type    string `json:"type"`
		Comment string `json:"comment"`
	} `json:"columns"`
}

// catalogRecords reads the warehouse's column types (and comments) of every node.
func catalogRecords(b *builder, data []byte) error {
	lines := newLineIndex(data)
	return eachArtifactNode(data, lines, []string{"nodes", "sources"}, func(section, uid string, line int, raw json.RawMessage) error {
		var n catalogNode
		if err := json.Unmarshal(raw, &n); err != nil {
			return &lineError{line, fmt.Sprintf("%s: %v", uid, err)}
		}
		model := catalogModelName(uid)
		if model == "" {
			model = n.Metadata.Name
		}
		for _, key := range slices.Sorted(maps.Keys(n.Columns)) {
			c := n.Columns[key]
			name := c.Name
			if name == "" {
				name = key
			}
			if c.Type == "" && c.Comment == "" {
				continue
			}
			text := model + "." + name + " (" + c.Type + ")"
			extra := map[string]string{"origin": OriginCatalog, "unique_id": uid}
			if c.Type != "" {
				extra["data_type"] = c.Type
			}
			if c.Comment != "" {
				text += ": " + oneLine(c.Comment)
				extra["description"] = c.Comment
			}
			b.add(memory.KindColumnDoc, "catalog\x00"+uid+"\x00"+strings.ToLower(name), text,
				memory.Metadata{Model: model, Column: strings.ToLower(name), Line: line, Extra: extra})
		}
		return nil
	})
}

// catalogModelName is the model's name in a unique id (model.pkg.name, seed.pkg.name,
// snapshot.pkg.name), or "source.table" for source.pkg.source.table.
func catalogModelName(uid string) string {
	parts := strings.Split(uid, ".")
	switch {
	case len(parts) >= 4 && parts[0] == "source":
		return parts[len(parts)-2] + "." + parts[len(parts)-1]
	case len(parts) >= 3:
		return parts[2]
	}
	return ""
}

// eachArtifactNode streams the entries of the named top-level objects of an artifact, each
// with the line its key is on.
func eachArtifactNode(data []byte, lines lineIndex, sections []string, each func(section, uid string, line int, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	at := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return lines.line(off)
	}
	bad := func(err error) error { return &lineError{at(), "invalid JSON: " + err.Error()} }
	tok, err := dec.Token()
	if err != nil {
		return bad(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &lineError{1, "a dbt artifact must be a JSON object"}
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return bad(err)
		}
		key, _ := kt.(string)
		want := false
		for _, s := range sections {
			want = want || s == key
		}
		if !want {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return bad(err)
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return bad(err)
		}
		if tok == nil {
			continue
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return &lineError{at(), key + ": want an object"}
		}
		for dec.More() {
			line := at()
			ut, err := dec.Token()
			if err != nil {
				return bad(err)
			}
			uid, _ := ut.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return bad(err)
			}
			if err := each(key, uid, line, raw); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return bad(err)
		}
	}
	return nil
}
