// Package service is `dataops serve` and `dataops worker`: a webhook receiver that verifies,
// deduplicates and enqueues GitHub deliveries; a durable queue on Redis Streams shared by any
// number of workers; the workers, which run one job per (repository, pull request, head
// commit), hand crashed workers' jobs over with XAUTOCLAIM, retry failures with backoff and
// dead-letter a job after MaxAttempts; the guarded `/dataops apply`; Prometheus metrics,
// health endpoints and JSON logs.
//
// It does not review anything itself: a Runner (internal/cli wires the review command in)
// reviews a job's checkout and posts the review, and a Fixer computes the safe edits apply
// commits. GitHub is reached through the GitHub interface (internal/githubapp implements it),
// so every part runs in tests against the in-process fake GitHub.
package service
