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
rows=$(wc -l "$work"/shop/seeds/*.csv | awk 'END { print $1 - 5 }')
echo "rows: $rows  runs: $RUNS  cores: $(nproc)"
echo "seed (5 CSVs -> tables):          ${seed}s"
printf 'build (11 models + 34 tests):     dataops %ss  direct SQL %ss  overhead %s%%\n' "$mb" "$db" "$(awk -v a="$mb" -v b="$db" 'BEGIN { printf "%.1f", (a / b - 1) * 100 }')"
printf 'test (36 tests):                  dataops %ss  direct SQL %ss  overhead %s%%\n' "$mt" "$dt" "$(awk -v a="$mt" -v b="$dt" 'BEGIN { printf "%.1f", (a / b - 1) * 100 }')"
echo "(work directory: $work)"
