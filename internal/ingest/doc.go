// Package ingest turns a project's knowledge into memory records: property files (model and
// column descriptions, tests, docs blocks), design documents and READMEs (markdown,
// reStructuredText, plain text, chunked by heading and paragraph), data dictionaries (CSV,
// YAML, JSON), review playbooks (one rule per list item or paragraph, with its headings),
// dbt's manifest and catalog, the git history (the columns and tests each commit added) and a
// repository's review comments.
//
// Every record names its source (the path from the repository's top, git:PATH for history,
// github:OWNER/REPO#N for comments) and line, and has a stable ID, so ingesting again
// replaces rather than duplicates. A state file beside the store keeps each source's content
// hash and stat signature, the records it made, the last commit and the last comment update
// ingested: a second ingest of an unchanged project stats its files, reads none, and does not
// even open the store (Target). One ingest runs at a time per state file (a lock).
//
// Ingested text is data: descriptions are never rendered (a {{ doc() }} call is replaced by
// its docs block's text, nothing else), files are read through internal/fsconfine (nothing
// outside the project unless named on the command line, nothing under .git), and the run's
// secret values are masked in every stored text. It reads no record back from the store, and
// it writes no file but the state file.
package ingest
