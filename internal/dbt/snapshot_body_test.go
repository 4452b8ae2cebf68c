package dbt

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// loadedBody is the snapshot body of testdata/proj, loaded without a cache.
func loadedBody(t testing.TB) *snapBody {
	p, err := Load(context.Background(), LoadOptions{Dir: "testdata/proj", Compile: true, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	errorsAsText(p.Nodes)
	return &snapBody{Nodes: p.Nodes, Sources: p.Sources, Exposures: p.Exposures, Macros: p.Macros, Docs: p.Docs,
		Unparsed: p.Unparsed, ParentMap: p.ParentMap, ChildMap: p.ChildMap, Disabled: p.Disabled, DisabledSources: p.DisabledSources,
		Diagnostics: p.Diagnostics}
}

// The body decoded in chunks, on one worker or several, is the body encoded; a body cut
// anywhere or with a byte changed is refused or decoded, never a panic.
func TestSnapshotBodyRoundTrip(t *testing.T) {
	body := loadedBody(t)
	data, err := encodeBody(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		// As in a fresh process: the workers build the codecs at once.
		snapCodecs.Clear()
		var out snapBody
		if err := decodeBody(data, &out, workers, nil); err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		if !reflect.DeepEqual(body, &out) {
			t.Errorf("%d workers: the decoded body differs", workers)
		}
	}
	for cut := 0; cut < len(data); cut += max(1, len(data)/300) {
		var out snapBody
		if decodeBody(data[:cut], &out, 2, nil) == nil {
			t.Fatalf("a body cut at %d of %d bytes was decoded", cut, len(data))
		}
		damaged := append([]byte(nil), data...)
		damaged[cut] ^= 0x41
		_ = decodeBody(damaged, &out, 2, nil)
	}
}

// FuzzSnapshotBody feeds arbitrary bytes to the body's decoder (an entry whose HMAC holds is
// the cache's own, but the decoder must not trust it to the point of a crash).
func FuzzSnapshotBody(f *testing.F) {
	// A few entries of each map: the fuzzer minimizes what it finds byte by byte, which takes
	// minutes for the whole project's 26 kB.
	body := loadedBody(f)
	few := func(m reflect.Value) {
		for i, k := range m.MapKeys() {
			if i >= 2 {
				m.SetMapIndex(k, reflect.Value{})
			}
		}
	}
	v := reflect.ValueOf(body).Elem()
	for i := range v.NumField() {
		if v.Field(i).Kind() == reflect.Map {
			few(v.Field(i))
		}
	}
	data, err := encodeBody(nil, body)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	small, _ := encodeBody(nil, &snapBody{ChildMap: map[string][]string{"a": {}, "b": nil}, Macros: map[string]*Macro{}})
	f.Add(small)
	f.Fuzz(func(t *testing.T, data []byte) {
		var out snapBody
		_ = decodeBody(data, &out, 2, nil)
	})
}
