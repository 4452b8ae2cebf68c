// Package learn is how the agents learn from each review. Every review, schema and tests run
// records what it proposed (a column's description, a test, a column entry) as proposal
// records in the team's memory; when the same pull request is reviewed again, when its merge
// is seen, or when the repository's history is ingested, each proposal is resolved against
// what the team actually kept: accepted (there as proposed), edited (there, changed by a
// human, whose version becomes the better example) or rejected (absent once merged). The
// outcomes move the Test Enhancer's confidence per team, test and column pattern, and the
// order of the Schema Synthesizer's description sources; they are counted by `dataops memory
// stats`.
//
// It also recalls, for the agents, what memory holds about the columns and models at hand:
// descriptions written before, doc chunks and dictionary entries, the review playbook's rules
// and past review comments. Everything goes through the memory.Store contract; the package
// never reads a project's files itself (callers hand it a State) and never talks to GitHub.
package learn
