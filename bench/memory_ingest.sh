#!/usr/bin/env bash
# Benchmark of `dataops memory ingest` on a large real project with its git history, and of
# queries on the memory it builds. The project (work tree and .git) is copied to a scratch
# directory first; the original is never touched. Then, each timed with wall, CPU (user +
# system) and peak RSS:
#   1. the first ingest (everything: property files, docs, history up to memory.history_commits);
#   2. a second ingest of the unchanged project (the incremental cost);
#   3. an ingest after one property file (one model, one column) is added;
#   4. `memory status` (hashes the work tree to report staleness);
#   5. RUNS `memory search` processes (open the store, embed, query: what a user waits for);
# and the in-process query latency (bench/memoryquery: the store opened once, 400 queries).
#
#   bench/memory_ingest.sh PROJECT [RUNS]
#   e.g. bench/memory_ingest.sh /work/projects/Artemis-xyz+dbt
#
# Targets (docs/measurements.md, "Memory ingestion"): first ingest of a ~3,000-model project
# with its history <= 60 s on 2 cores; second run < 10% of the first; query p95 <= 20 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?give a dbt project (a git clone)}
runs=${2:-20}
mkdir -p bench/out
CGO_ENABLED=1 go build -o bench/out/dataops ./cmd/dataops
go build -o bench/out/memory-query ./bench/memoryquery
bin=$PWD/bench/out/dataops

work=$(mktemp -d /tmp/dataops-bench-ingest.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$src" "$work/project"
proj=$work/project
rm -rf "$proj/.dataops"

timed() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: wall %e s, CPU %U s user + %S s system, peak RSS %M KB" "$@"
}

echo "project: $src ($(cd "$proj" && git ls-files '*.sql' | wc -l) .sql, $(cd "$proj" && git ls-files '*.yml' '*.yaml' | wc -l) .yml files, $(cd "$proj" && git rev-list --count HEAD) commits); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
timed "first ingest" "$bin" memory ingest --project "$proj"
timed "second ingest (unchanged)" "$bin" memory ingest --project "$proj"
printf 'version: 2\nmodels:\n  - name: bench_added_model\n    columns:\n      - name: bench_added_column\n        description: A column the benchmark added.\n' > "$proj/models/_bench_added.yml"
timed "ingest after one property file added" "$bin" memory ingest --project "$proj"
timed "status" "$bin" memory status --project "$proj" > /dev/null

walls=()
for i in $(seq "$runs"); do
  s=$(date +%s%N)
  "$bin" memory search "customer id" --project "$proj" --limit 10 > /dev/null
  walls+=($(( ($(date +%s%N) - s) / 1000000 )))
done
printf '%s\n' "${walls[@]}" | sort -n | awk -v n="$runs" '{a[NR] = $1} END {
  p50 = int(n * 0.50) + 1; p95 = int(n * 0.95) + 1; if (p95 > n) p95 = n
  printf "memory search (process): %d runs, wall p50 %d ms, p95 %d ms\n", n, a[p50], a[p95]
}'
timed "in-process queries" bench/out/memory-query -project "$proj" -n 400
