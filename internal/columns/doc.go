// Package columns infers the output columns of every model, snapshot, seed and source of a dbt
// project: their names (with the dialect's case rules), data types where they can be known, the
// position of the select item in the .sql file the user wrote, and column-level lineage to the
// upstream columns each one is computed from.
//
// It reads the SQL through internal/sql and the project through internal/dbt, walks the DAG in
// order (in parallel where it allows) and expands stars from what is already known upstream:
// inferred columns first, then property-file columns, then dbt's catalog.json, then seed
// headers, then an optional Describer (the warehouse). What cannot be resolved is reported per
// node with its reason and position; it never guesses a column list it cannot justify.
//
// It never runs a query itself and never writes files; with Options.Cache, what it inferred is
// kept there for the next run (see cache.go), and the cache writes it. It reads the loader's renders, and
// renders again (with the project's Jinja environment) only the nodes whose template listed
// another relation's columns, answering that call from what is known upstream; the warehouse
// is only reached through the Describer a caller plugs in.
package columns
