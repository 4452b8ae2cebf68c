package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The manifest names the live segments in order, the embedder the vectors came from, and a
// generation that every write increments, so a process sees at a glance whether another one
// wrote since it last looked. It is replaced whole by rename; its last line is the CRC-32C of
// the JSON before it.
type manifest struct {
	Format     int          `json:"format"`
	Embedder   string       `json:"embedder"`
	Dimension  int          `json:"dimension"`
	Generation uint64       `json:"generation"`
	Next       uint64       `json:"next"` // number of the next segment file
	Segments   []segmentRef `json:"segments"`
	Entries    int          `json:"entries"` // in all segments, to tell when compaction pays
}

type segmentRef struct {
	Name    string `json:"name"`
	Bytes   int64  `json:"bytes"`
	Entries int    `json:"entries"`
}

const (
	formatVersion = 2
	manifestName  = "MANIFEST"
	lockName      = "LOCK"
)

func (m *manifest) encode() []byte {
	body, _ := json.MarshalIndent(m, "", "  ")
	body = append(body, '\n')
	return fmt.Appendf(body, "crc32c %08x\n", crc32.Checksum(body, castagnoli()))
}

// readManifest returns nil, nil when the store has no manifest yet.
func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, manifestName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	corrupt := func(reason string) error { return corruptf(path, "%s", reason) }
	i := bytes.LastIndex(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if i < 0 || !bytes.HasPrefix(data[i+1:], []byte("crc32c ")) {
		return nil, corrupt("no checksum line")
	}
	body := data[:i+1]
	want, err := strconv.ParseUint(string(bytes.TrimSpace(data[i+1+len("crc32c "):])), 16, 32)
	if err != nil {
		return nil, corrupt("unreadable checksum line")
	}
	if crc32.Checksum(body, castagnoli()) != uint32(want) {
		return nil, corrupt("checksum mismatch")
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, corrupt(err.Error())
	}
	if m.Format != formatVersion && m.Format != formatV1 {
		return nil, corrupt(fmt.Sprintf("format %d, this dataops reads %d", m.Format, formatVersion))
	}
	// The directory may come from anywhere (a copied project, a pull request): a segment
	// name must not lead out of it, and counts must not size allocations beyond the files.
	var total int64
	for _, r := range m.Segments {
		if !validSegmentName(r.Name) || r.Bytes < 0 || r.Entries < 0 {
			return nil, corrupt(fmt.Sprintf("bad segment entry %q", r.Name))
		}
		total += r.Bytes
	}
	if m.Entries < 0 || int64(m.Entries) > total || m.Dimension <= 0 {
		return nil, corrupt("counts do not match the segments")
	}
	return &m, nil
}

// validSegmentName accepts only names this package writes: eight digits and ".seg".
func validSegmentName(name string) bool {
	if len(name) != 12 || !strings.HasSuffix(name, ".seg") {
		return false
	}
	for _, c := range name[:8] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// writeFileAtomic writes data to a temporary file in dir, syncs it and renames it over name,
// then syncs dir: readers see the old file or the new one, never a part.
func writeFileAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // makes the rename durable; some file systems cannot sync a directory, and the rename is atomic anyway
	return nil
}
