#!/usr/bin/env bash
# Times `dataops seed`, `dataops build` and `dataops test` on examples/shop scaled to ROWS seed
# rows (default 10 million) on the embedded DuckDB, against the same SQL replayed directly
# through DuckDB in one process (bench/warehouse/direct). Prints the median of RUNS runs and
# dataops' overhead: its whole command's wall time (process start, project load, compile,
# scheduling, result handling) over the replay's SQL time.
#
#   bash bench/warehouse.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
RUNS=${2:-3}
work=${BENCH_DIR:-$(mktemp -d /tmp/dataops-bench.XXXXXX)}
export CGO_ENABLED=1
go build -o "$work/dataops" ./cmd/dataops
go build -o "$work/gen" ./bench/warehouse/gen
go build -o "$work/direct" ./bench/warehouse/direct
rm -rf "$work/shop"
"$work/gen" -rows "$ROWS" -src examples/shop -out "$work/shop" >&2
cd "$work/shop"

now() { date +%s.%N; }
# wall CMD...: runs a command quietly and prints its wall time in seconds.
wall() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { sort -g | head -1; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a / b - 1) * 100 }'; }

seed=$(wall "$work/dataops" seed)
"$work/dataops" build --exclude resource_type:seed >/dev/null # warm: every relation exists
b_ours=() b_direct=() t_ours=() t_direct=()
for _ in $(seq "$RUNS"); do
  b_ours+=("$(wall "$work/dataops" build --exclude resource_type:seed --full-refresh)")
  b_direct+=("$("$work/direct" -phase build | cut -d' ' -f1)")
  t_ours+=("$(wall "$work/dataops" test)")
  t_direct+=("$("$work/direct" -phase tests | cut -d' ' -f1)")
done
mb=$(printf '%s\n' "${b_ours[@]}" | median)
db=$(printf '%s\n' "${b_direct[@]}" | median)
mt=$(printf '%s\n' "${t_ours[@]}" | median)
dt=$(printf '%s\n' "${t_direct[@]}" | median)
nb=$(printf '%s\n' "${b_ours[@]}" | minimum)
ndb=$(printf '%s\n' "${b_direct[@]}" | minimum)
nt=$(printf '%s\n' "${t_ours[@]}" | minimum)
ndt=$(printf '%s\n' "${t_direct[@]}" | minimum)
rows=$(wc -l "$work"/shop/seeds/*.csv | awk 'END { print $1 - 5 }')
echo "rows: $rows  runs: $RUNS  cores: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seed (5 CSVs -> tables):  ${seed}s"
echo "                          median: dataops  direct SQL  overhead | best: dataops  direct SQL  overhead"
printf 'build (models + tests):   %8ss %9ss %8s%% | %10ss %9ss %8s%%\n' "$mb" "$db" "$(pct "$mb" "$db")" "$nb" "$ndb" "$(pct "$nb" "$ndb")"
printf 'test (tests only):        %8ss %9ss %8s%% | %10ss %9ss %8s%%\n' "$mt" "$dt" "$(pct "$mt" "$dt")" "$nt" "$ndt" "$(pct "$nt" "$ndt")"
echo "all runs (s): build dataops ${b_ours[*]} | direct ${b_direct[*]} | test dataops ${t_ours[*]} | direct ${t_direct[*]}"
echo "(work directory: $work)"
