// Package fsconfine reads and writes the files of a project without leaving it. A name that is
// absolute, climbs out with "..", or reaches a place outside the project through a symbolic
// link (a model linked to /proc/self/environ, a folder linked to the runner's home) is refused
// with an error that matches ErrOutside; nothing is opened. Symbolic links that stay inside are
// followed, and a read may also be allowed to resolve into a few more trusted directories: the
// work tree a copy made of symbolic links points at.
//
// Writes go through one atomic writer: a temporary file in the destination's directory, then a
// rename over the destination, so a reader sees the old content or the new, never a part, and a
// symbolic link at the destination is replaced while its target is left as it was.
//
// Lock is the one advisory file lock of the tool (the memory store's and the ingest's), shared
// for readers and exclusive for writers, that a cancelled context stops waiting for.
//
// It is built on os.Root, which checks every component of a name against the directory it was
// opened on, so a link swapped in between a check and a use cannot lead out either. ReadFileMax,
// which a load calls for thousands of files, opens each directory once through the root and
// the file in it without following a link; anything else takes the way Open takes. It never
// changes a file outside the directory it is given.
package fsconfine
