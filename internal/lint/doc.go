// Package lint is the SQL linter core: it reads SQLFluff's configuration files, selects rules,
// renders each file's Jinja through internal/jinja, runs the rules over the rendered SQL, maps
// every finding back to the position the user wrote in the source file, honours noqa comments,
// applies fixes to literal (non-templated) source text and formats the results in SQLFluff's
// shapes. It also delegates to an external sqlfluff executable on request.
//
// It never runs code named by configuration (library_path, the python templater), never
// touches a warehouse, and never decides what a rule checks: the rules live one per package
// under rules/ and are registered in rules.All.
package lint
