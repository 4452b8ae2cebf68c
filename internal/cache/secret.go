package cache

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
)

// seal authenticates payload under k with the machine's secret; false when there is none.
func seal(k Key, payload []byte) ([]byte, bool) {
	secret, err := machineSecret()
	if err != nil {
		return nil, false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(k[:])
	m.Write(payload)
	return m.Sum(nil), true
}

// SecretFile is where the secret that authenticates entries is kept: in this user's cache
// folder, never in a project, so nothing a pull request adds can forge an entry. A variable so
// tests can point it elsewhere.
var SecretFile = defaultSecretFile

func defaultSecretFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "dataops", "cache.key"), nil
}

var (
	secretMu  sync.Mutex
	secretFor string
	secretVal []byte
)

// machineSecret reads the secret, making it on first use (32 random bytes, readable by this
// user only). Two processes making it at once agree on whichever file the last rename left:
// each reads the file back after writing.
func machineSecret() ([]byte, error) {
	file, err := SecretFile()
	if err != nil {
		return nil, err
	}
	secretMu.Lock()
	defer secretMu.Unlock()
	if secretFor == file && secretVal != nil {
		return secretVal, nil
	}
	if b, err := os.ReadFile(file); err == nil && len(b) == 32 {
		secretFor, secretVal = file, b
		return b, nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := crand.Read(b); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s.tmp-%08x", file, rand.Uint32())
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	if _, err := os.Stat(file); err == nil {
		os.Remove(tmp) // another process made it meanwhile
	} else if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	got, err := os.ReadFile(file)
	if err != nil || len(got) != 32 {
		return nil, fmt.Errorf("cache secret %s: unreadable", file)
	}
	secretFor, secretVal = file, got
	return got, nil
}
