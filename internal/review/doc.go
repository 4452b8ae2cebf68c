// Package review assembles what the agents of a pull request review found (schema findings and
// edits, proposed tests, lint violations on changed lines, the change set and its impact) into
// one Review, classifies every changed model (non-breaking, partial, breaking), and renders the
// Review as text, JSON, Markdown, SARIF or GitHub workflow annotations.
//
// It owns the review contract (docs/ARCHITECTURE.md) and the patch-hunk arithmetic shared with
// the GitHub publisher. It never loads projects, talks to a warehouse or to GitHub, and never
// writes files: callers hand it plain values and publish what it returns.
package review
