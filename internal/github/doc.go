// Package github publishes a review.Review to a GitHub pull request through go-github: it reads
// the pull request's files and their diff hunks, posts one review whose inline comments and
// suggestion blocks fall only on lines inside hunks (everything else goes in the summary),
// updates its own earlier summary on a new push (found by a hidden marker), and writes a check
// run with annotations in batches of 50. Rate limits and server errors are retried with backoff.
// It also lists a repository's review comments (ListReviewComments), page by page, for the
// team's memory.
//
// It owns the GitHub side only: it never computes findings, never writes to the work tree, and
// never reads a token from anywhere but what the caller passes.
package github
