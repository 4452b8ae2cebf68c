// Package pipeline runs the agents on a change into one review, without a command line:
// Run takes the change set, settings already mapped to the agents' types and read from the
// side the caller trusts, and its collaborators (memory, language model, warehouse, catalog)
// as interfaces or plain values, and returns a *review.Review. PlanSchema is the Schema
// Synthesizer's path (plan, keep what the change touched, describe, apply, validate,
// conventions), shared by `dataops schema`, the review and the MCP server.
//
// The package never reads settings, decides trust, prints, writes a file or talks to GitHub:
// those stay with the caller (internal/cli, the MCP server, a service). It does not change
// the loaded project.
package pipeline
