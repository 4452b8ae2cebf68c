package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func blockList(bs []block) string {
	var b strings.Builder
	for _, x := range bs {
		fmt.Fprintf(&b, "%d [%s] %q\n", x.line, x.heading, x.text)
	}
	return b.String()
}

func TestMarkdownBlocks(t *testing.T) {
	src := "Intro before any heading.\n\n" +
		"Setext title\n============\n\n" +
		"```sh\n# not a heading\n```\n\n" +
		"## Rules ##\n\n" +
		"- [ ] first rule\n  continued\n  - nested detail\n- second rule\n\n" +
		"<!-- a comment -->\n\n" +
		"> quoted advice\n\n" +
		"---\n\n" +
		"# Other\n\n" +
		"10) tenth\n"
	got := blockList(markdownBlocks([]byte(src), true))
	want := `1 [] "Intro before any heading."
6 [Setext title] "` + "```sh\\n# not a heading\\n```" + `"
12 [Setext title > Rules] "first rule\ncontinued\n- nested detail"
15 [Setext title > Rules] "second rule"
19 [Setext title > Rules] "> quoted advice"
25 [Other] "tenth"
`
	if got != want {
		t.Errorf("blocks with items:\n%s\nwant:\n%s", got, want)
	}
	// Without items, a list is one block with its markers.
	got = blockList(markdownBlocks([]byte("# T\n\n- a\n- b\n"), false))
	if got != "3 [T] \"- a\\n- b\"\n" {
		t.Errorf("list as one block: %s", got)
	}
}

func TestPlainBlocks(t *testing.T) {
	src := "=====\nTitle\n=====\n\nFirst para\nline two.\n\nSection\n-------\n\nSecond.\n\nSub\n~~~\n\nThird.\n\nOther\n-----\nFourth.\n"
	got := blockList(plainBlocks([]byte(src)))
	want := `5 [Title] "First para\nline two."
11 [Title > Section] "Second."
16 [Title > Section > Sub] "Third."
20 [Title > Other] "Fourth."
`
	if got != want {
		t.Errorf("rst blocks:\n%s\nwant:\n%s", got, want)
	}
}

func TestDocChunksMergeAndSplit(t *testing.T) {
	b := newBuilder("docs/x.md", "p", nil)
	long := strings.Repeat("word ", 300) + "\n" + strings.Repeat("more ", 700)
	docChunks(b, []block{
		{heading: "A", text: "one", line: 1},
		{heading: "A", text: "two", line: 3},
		{heading: "B", text: long, line: 5},
		{heading: "A", text: "again", line: 40},
	})
	var got []string
	for _, r := range b.recs {
		got = append(got, fmt.Sprintf("%d %d", r.Metadata.Line, len(r.Text)))
	}
	if len(b.recs) != 4 || b.recs[0].Text != "A\none\n\ntwo" || b.recs[1].Metadata.Line != 5 || b.recs[2].Metadata.Line != 6 ||
		len(b.recs[1].Text) > maxBlock+10 || b.recs[3].Text != "A\nagain" {
		t.Errorf("chunks (line, length): %v", got)
	}
	if b.recs[0].ID == b.recs[3].ID {
		t.Error("two chunks under one heading share an id")
	}
}

func TestNotText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		why  string
	}{
		{"plain\ntext\n", 0, ""},
		{"a\nb\x00c", 2, "binary"},
		{"ok\nok\nbad \xc3\x28 here", 3, "not UTF-8"},
	} {
		line, why := notText([]byte(tc.in))
		if line != tc.line || !strings.Contains(why, tc.why) || (tc.why == "") != (why == "") {
			t.Errorf("%q: %d %q", tc.in, line, why)
		}
	}
}

func TestDictionaries(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // model.column@line=description, joined by |
		err       string
	}{
		{"d.csv", "customer_id,The customer.\nsku,Stock unit.\n", "customer_id@1=The customer.|sku@2=Stock unit.", ""},
		{"d.csv", "# team terms\nName,Desc\nA,B\n", "a@3=B", ""},
		{"d.csv", "column,description\nonly_one\n", "", "2: want `column,description`"},
		{"d.csv", "a,\"unterminated\n", "", "1: "},
		{"d.yml", "customer_id: The customer.\nsku: {description: Stock unit., model: stg_products}\n", "customer_id@1=The customer.|stg_products.sku@2=Stock unit.", ""},
		{"d.yml", "- name: a\n  description: A.\n- column: b\n  description: B.\n", "a@1=A.|b@3=B.", ""},
		{"d.yml", "a: [1, 2]\n", "", "1: entry \"a\""},
		{"d.yml", "a: b: c\n", "", "1: invalid YAML"},
		{"d.yml", "- 1\n", "", "1: item 1"},
		{"d.json", "{\n  \"columns\": {\n    \"a\": \"A.\",\n    \"b\": {\"description\": \"B.\", \"data_type\": \"int\"}\n  }\n}\n", "a@3=A.|b@4=B.", ""},
		{"d.json", "[\n {\"name\": \"a\",\n  \"description\": \"A.\"}\n]", "a@2=A.", ""},
		{"d.json", "{\n  \"a\": \"A.\",\n  \"b\" \"B.\"\n}\n", "", "3: invalid JSON"},
	} {
		b := newBuilder(tc.name, "p", nil)
		err := dictionaryRecords(b, tc.name, []byte(tc.src))
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("%s %q: err %v, want %q", tc.name, tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tc.name, tc.src, err)
			continue
		}
		var got []string
		for _, r := range b.recs {
			s := r.Metadata.Column
			if r.Metadata.Model != "" {
				s = r.Metadata.Model + "." + s
			}
			got = append(got, fmt.Sprintf("%s@%d=%s", s, r.Metadata.Line, r.Metadata.Extra["description"]))
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("%s %q:\n got %s\nwant %s", tc.name, tc.src, strings.Join(got, "|"), tc.want)
		}
	}
}

func TestArtifactErrors(t *testing.T) {
	b := newBuilder("target/manifest.json", "p", nil)
	err := manifestRecords(b, []byte(`{"nodes": {"model.x.a": {"resource_type": "model", "name": "a", "package_name": "x", "description": "A."}}}`), "p")
	if err != nil || len(b.recs) != 1 || b.recs[0].Metadata.Line != 1 || b.recs[0].Kind != memory.KindModelDoc {
		t.Errorf("minified manifest: %v %+v", err, b.recs)
	}
	err = manifestRecords(b, []byte("{\n\"nodes\": {\n\"model.x.a\": {\"name\": 3}\n}}"), "p")
	var le *lineError
	if !errors.As(err, &le) || le.line != 3 {
		t.Errorf("a node of the wrong shape: %v", err)
	}
	if err := catalogRecords(b, []byte("[]")); err == nil {
		t.Error("a catalog that is no object")
	}
}
