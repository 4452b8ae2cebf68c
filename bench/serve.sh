#!/usr/bin/env bash
# Load benchmarks of dataops serve, real Redis at $DATAOPS_TEST_REDIS_URL.
# 1. BenchmarkBurst: 500 signed webhook deliveries across 50 pull requests in a burst, four
#    workers posting a stubbed review to the in-process fake GitHub. Prints ack latency (p50,
#    p99), the time until every delivery was acknowledged and until every job finished.
# 2. BenchmarkServeReviews: the real runner on the example shop (fetch over smart HTTP from an
#    in-process git http-backend, checkout, review, post) with one and with two workers; prints
#    reviews per minute and CPU seconds per review.
# Each run prints the CPU time beside the wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATAOPS_TEST_REDIS_URL:?set DATAOPS_TEST_REDIS_URL to a Redis the benchmark may write to}"
go test -c -o /tmp/dataops-service.test ./internal/service/
/usr/bin/time -f 'wall %es  cpu user %Us sys %Ss' /tmp/dataops-service.test -test.run '^$' -test.bench BenchmarkBurst -test.benchtime "${COUNT:-3}x"
go test -c -o /tmp/dataops-cli.test ./internal/cli/
(cd internal/cli && /usr/bin/time -f 'wall %es  cpu user %Us sys %Ss' /tmp/dataops-cli.test -test.run '^$' -test.bench BenchmarkServeReviews -test.benchtime "${ROUNDS:-2}x")
