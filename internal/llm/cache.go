package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"path"

	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// Cache keeps answers on disk, one JSON file per request under Dir (relative to Root, the
// project), named by the SHA-256 of the provider, its endpoint and the exact request. Files
// are written atomically and confined to Root; a file that does not decode is a miss.
type Cache struct {
	Root string
	Dir  string
}

// Key is the name of a request's answer.
func Key(provider, endpoint string, req *Request) string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		Provider string   `json:"provider"`
		Endpoint string   `json:"endpoint"`
		Request  *Request `json:"request"`
	}{provider, endpoint, req})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) name(key string) string { return path.Join(c.Dir, key[:2], key+".json") }

// Get returns the stored answer of key, if any.
func (c *Cache) Get(key string) (*Response, bool) {
	data, err := fsconfine.ReadFile(c.Root, c.name(key))
	if err != nil {
		return nil, false
	}
	var r Response
	if json.Unmarshal(data, &r) != nil {
		return nil, false
	}
	return &r, true
}

// Put stores an answer.
func (c *Cache) Put(key string, r *Response) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = fsconfine.WriteFile(c.Root, c.name(key), data)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the project directory went away: nothing to keep
	}
	return err
}
