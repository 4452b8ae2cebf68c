package dbt

import (
	"sync/atomic"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
)

// A file changed within snapshotSlack before the load that stored a snapshot is read and hashed
// by every check of that snapshot, since its stamp cannot tell a later write in the same tick of
// the file system's clock; and the snapshot is kept as long as the project does not change. A
// project checked out, copied or generated just before its first load (a clone, a branch
// switch, a CI workspace) had every warm run read and hash those files again: all 7,000 of a
// copied synthetic project, a quarter of its warm run. So a check that reads such a file and
// finds it unchanged, its stamp now old enough, notes that stamp, in a small entry beside the
// snapshot: the next checks trust it as they trust the snapshot's own stamps.

// restampSlack is snapshotSlack for a noted stamp; a variable so that tests, whose files are as
// new as their loads, can have them noted.
var restampSlack = snapshotSlack

// filesReadByCheck counts the files a snapshot's check read (tests read it).
var filesReadByCheck atomic.Int64

// restamped is a file of the snapshot's header found unchanged, and what a stat of it said.
type restamped struct {
	I     int       // its index in the header's Files
	Stamp fileStamp // the stat taken before it was read
	At    int64     // a time before that stat: Stamped, for this file
}

// snapRestamps is the entry of a snapshot's stamps noted since it was stored.
type snapRestamps struct {
	Files []restamped
}

func restampKey(snap cache.Key, id string) cache.Key {
	return cache.NewHasher("snapshot-restamps").Bytes(snap[:]).String(id).Sum()
}

// restamps are the stamps noted for the snapshot hdr, by file index.
func (l *loader) restamps(hdr *snapHeader) map[int]restamped {
	if l.snapKey == nil {
		return nil
	}
	data, ok := l.opts.Cache.Peek(restampKey(*l.snapKey, hdr.ID))
	if !ok {
		return nil
	}
	var r snapRestamps
	if snapDecode(&valueReader{b: data}, &r) != nil {
		return nil
	}
	out := make(map[int]restamped, len(r.Files))
	for _, f := range r.Files {
		if f.I >= 0 && f.I < len(hdr.Files) {
			out[f.I] = f
		}
	}
	return out
}

// noteRestamps stores the stamps trusted or noted by this check, when it noted new ones.
func (l *loader) noteRestamps(hdr *snapHeader, kept []restamped, noted int) {
	if noted == 0 || l.snapKey == nil {
		return
	}
	w := &entryWriter{}
	if snapEncode(w, &snapRestamps{Files: kept}) != nil {
		return
	}
	l.opts.Cache.Put(restampKey(*l.snapKey, hdr.ID), w.b.Bytes())
}

// settled says a stamp taken after at is old enough to be trusted later.
func settled(s fileStamp, at int64) bool {
	old := at - int64(restampSlack)
	return s.Mtime < old && s.Ctime < old
}

// now is the clock of a check, before its stats.
func now() int64 { return time.Now().UnixNano() }
