#!/usr/bin/env bash
# Load benchmark of dataops serve: 500 signed webhook deliveries across 50 pull requests in a
# burst, four workers posting to the in-process fake GitHub, real Redis at
# $DATAOPS_TEST_REDIS_URL. Prints ack latency (p50, p99), the time until every delivery was
# acknowledged and until every job finished, and the CPU time beside the wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATAOPS_TEST_REDIS_URL:?set DATAOPS_TEST_REDIS_URL to a Redis the benchmark may write to}"
go test -c -o /tmp/dataops-service.test ./internal/service/
/usr/bin/time -f 'wall %es  cpu user %Us sys %Ss' /tmp/dataops-service.test -test.run '^$' -test.bench BenchmarkBurst -test.benchtime "${COUNT:-3}x"
