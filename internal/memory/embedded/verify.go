package embedded

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
)

// Verify checks the store in dir as Open does — the manifest's checksum, each segment's size,
// framing and CRC-32C — without decoding a record, so that a caller that may not need the
// records (an ingest that finds nothing changed) still learns that the store is corrupt. It
// returns a *memory.CorruptError for a damaged store and nil for a sound one or none.
func Verify(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
		return nil
	}
	unlock, err := fileLock(ctx, dir, false)
	if err != nil {
		return err
	}
	defer unlock()
	m, err := readManifest(dir)
	if err != nil || m == nil {
		return err
	}
	for _, ref := range m.Segments {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := verifySegment(filepath.Join(dir, ref.Name), ref.Bytes); err != nil {
			return err
		}
	}
	return nil
}

func verifySegment(path string, size int64) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return corruptf(path, "missing")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != size {
		return corruptf(path, "%d bytes, the manifest says %d", fi.Size(), size)
	}
	if size < int64(len(segMagic)+trailerSize) {
		return corruptf(path, "%d bytes, shorter than an empty segment", size)
	}
	t := make([]byte, trailerSize)
	if _, err := f.ReadAt(t, size-int64(trailerSize)); err != nil {
		return err
	}
	if string(t[16:]) != segEnd {
		return corruptf(path, "truncated: no end marker")
	}
	bodyLen := int64(binary.LittleEndian.Uint64(t[4:12]))
	if bodyLen != size-int64(trailerSize) {
		return corruptf(path, "length %d in trailer, %d in file", bodyLen, size-int64(trailerSize))
	}
	head := make([]byte, len(segMagic))
	if _, err := f.ReadAt(head, 0); err != nil || (string(head) != segMagic && string(head) != segMagic2) {
		return corruptf(path, "not a memory segment (bad magic)")
	}
	sum, err := fileChecksum(f, bodyLen)
	if err != nil {
		return err
	}
	if sum != binary.LittleEndian.Uint32(t[12:16]) {
		return corruptf(path, "checksum mismatch")
	}
	return nil
}
