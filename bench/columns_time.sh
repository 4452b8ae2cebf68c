#!/bin/sh
# Time `dataops columns` against `dataops parse` on a project (for example a clone of Artemis-xyz/dbt),
# and run the in-process BenchmarkInfer on it. The difference is what column inference (SQL
# parsing plus inference) adds to loading and compiling the project.
#   bench/columns_time.sh [PROJECT] [DIALECT]
set -eu
proj=${1:?give a dbt project directory}
dialect=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(mktemp -d)/dataops
(cd "$root" && go build -o "$bin" ./cmd/dataops)
flags="--project $proj"
[ -n "$dialect" ] && flags="$flags --dialect $dialect"
best() { # best of 3 wall-clock seconds
  b=999
  for i in 1 2 3; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(echo "$s $e $b" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
p=$(best "$bin" parse $flags --format json --out /dev/null)
c=$(best "$bin" columns $flags --format json)
echo "parse:   ${p}s"
echo "columns: ${c}s  (adds $(echo "$c $p" | awk '{printf "%.2f", $1-$2}')s)"
cd "$root" && DATAOPS_BENCH_PROJECT=$proj DATAOPS_BENCH_DIALECT=$dialect \
  go test -run '^$' -bench BenchmarkInfer -benchtime 3x ./internal/columns/
