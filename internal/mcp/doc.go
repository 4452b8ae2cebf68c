// Package mcp serves dataops over the Model Context Protocol, so that AI editors and agent
// frameworks can ask what the engine knows about a dbt project: models and their columns,
// column lineage, the impact of a change, the property-file and test edits it needs, lint and
// the whole review, compiled SQL, read-only queries on the embedded DuckDB, and the team's
// memory.
//
// It owns the MCP server (on the official Go SDK): the tools with their input and output
// schemas, the resources and prompts, pagination and truncation of large answers, masking of
// every answer, and the warm project: loaded once, its columns inferred in the background, and
// loaded again when a file a load reads changes (watched with inotify on Linux, else walked
// before each call). The commands' pipelines come in through the Engine interface, which
// internal/cli implements; this package never imports internal/cli.
//
// Write tools (apply_*) exist only when the server allows writes, preview by default, and
// write nothing but property files and lint fixes inside the project (internal/fsconfine).
package mcp
