#!/usr/bin/env bash
# Cold and warm cost of the cache: `dataops parse` of a project, then `dataops review` of a change
# of N models (a column appended to each), each without the cache (--no-cache), with the cache
# emptied first (cold) and again (warm), and with another binary (BEFORE_BIN, for instance one
# built from an earlier commit) on a warm cache of its own. Prints wall and CPU (user+sys) seconds
# and peak RSS per row. The project is copied to a scratch directory; it must be a git work tree
# for the review rows.
#
#   bash bench/cache.sh PROJECT_DIR [CHANGED_MODELS]
#   BEFORE_BIN=/tmp/dataops-old DATAOPS_BIN=./dataops bash bench/cache.sh ~/src/jaffle 10
#   SIZES="1000 5000 20000 50000" bash bench/cache.sh     (synthetic projects from bench/gen instead)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/dataops-bench-cache}
CHANGED=${2:-10}
mkdir -p "$BENCH_DIR"
bin=${DATAOPS_BIN:-}
if [ -z "$bin" ]; then
  bin="$BENCH_DIR/dataops"
  go build -o "$bin" ./cmd/dataops
fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 1; }

projects=()
if [ $# -ge 1 ]; then
  projects+=("$1")
else
  for n in ${SIZES:-1000 5000}; do
    dir="$BENCH_DIR/synthetic-$n"
    if [ ! -f "$dir/dbt_project.yml" ]; then
      go run ./bench/gen -models "$n" -out "$dir"
      (cd "$dir" && git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm base)
    fi
    projects+=("$dir")
  done
fi

measure() { # label, command...
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss <"$log"
  rm -f "$log"
  printf '%-34s %8s %8.2f %8.0f\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
}

printf '%-34s %8s %8s %8s\n' run wall_s cpu_s rss_mb
for src in "${projects[@]}"; do
  work="$BENCH_DIR/work-$(basename "$src")"
  rm -rf "$work" && cp -r "$src" "$work"
  echo "# $(basename "$src") (load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
  cache="$work/.dataops/cache"
  if [ -n "${BEFORE_BIN:-}" ]; then
    rm -rf "$cache"
    "$BEFORE_BIN" parse --project "$work" --format json --out "$BENCH_DIR/m.json" >/dev/null 2>&1 || true
    measure "parse warm (BEFORE_BIN)" "$BEFORE_BIN" parse --project "$work" --format json --out "$BENCH_DIR/m.json"
  fi
  measure "parse, no cache" "$bin" parse --project "$work" --format json --out "$BENCH_DIR/m.json" --no-cache
  rm -rf "$cache"
  measure "parse cold" "$bin" parse --project "$work" --format json --out "$BENCH_DIR/m.json"
  measure "parse warm" "$bin" parse --project "$work" --format json --out "$BENCH_DIR/m.json"
  if git -C "$work" rev-parse --git-dir >/dev/null 2>&1; then
    # A change of $CHANGED models: one column appended to each.
    # (sorted into a file first: head closing the pipe early fails it under pipefail)
    find "$work/models" -name '*.sql' | sort >"$BENCH_DIR/models.txt"
    head -n "$CHANGED" "$BENCH_DIR/models.txt" | while read -r f; do
      printf '\n-- changed\n' >>"$f"
      sed -i '0,/^\s*select\b/I s//select 1 as bench_added_column,/' "$f"
    done
    if [ -n "${BEFORE_BIN:-}" ]; then
      rm -rf "$cache"
      "$BEFORE_BIN" review --project "$work" --base HEAD --format json --no-history >/dev/null 2>&1 || true
      measure "review $CHANGED warm (BEFORE_BIN)" "$BEFORE_BIN" review --project "$work" --base HEAD --format json --no-history
    fi
    measure "review $CHANGED models, no cache" "$bin" review --project "$work" --base HEAD --format json --no-history --no-cache
    rm -rf "$cache"
    measure "review $CHANGED models cold" "$bin" review --project "$work" --base HEAD --format json --no-history
    measure "review $CHANGED models warm" "$bin" review --project "$work" --base HEAD --format json --no-history
  fi
done
