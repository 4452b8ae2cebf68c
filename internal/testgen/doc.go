// Package testgen is the Test Enhancer: it finds models and columns without tests and
// proposes the tests a senior engineer would write, each with a confidence and the evidence
// behind it. Signals come from the model's SQL (grain, CASE literals, filters, joins), from
// the SQL of the whole project (values traced upstream, keys joined on anywhere), from names,
// from descriptions and the data dictionary, from the tests this team already wrote (learned
// per project), from the git history of property files, and from data when a warehouse is at
// hand (read through a Profiler the caller supplies; Confirm runs the proposed tests). It
// returns plain values; it never writes files or talks to GitHub (the CLI applies edits
// through internal/yamledit).
package testgen
