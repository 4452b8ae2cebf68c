#!/usr/bin/env bash
# Benchmark of `dataops review --base` on a large real project with a small change, and of
# `dataops demo`. A shared clone of the project's repository (the original is never touched)
# gets N models edited in its work tree (each wrapped so that it outputs one more column and
# keeps a filter), then review runs RUNS times against HEAD; the median wall and CPU times are
# printed. The demo is timed the same way (it builds its own repository and DuckDB each run).
#
#   bench/review.sh [REPO] [SUBDIR] [N] [RUNS]
#   REPO is a clone of a large dbt project (e.g. Artemis-xyz/dbt); defaults: . 10 5
#
# Targets: review under 2 s on the ~3,000-model Artemis project with a 10-model change; demo
# under 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:?give the repository of a large dbt project}
sub=${2:-.}
n=${3:-10}
runs=${4:-5}
mkdir -p bench/out
CGO_ENABLED=1 go build -o bench/out/dataops ./cmd/dataops
bin=$PWD/bench/out/dataops
root=$PWD

work=$(mktemp -d /tmp/dataops-bench-review.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q --shared "$repo" "$work/repo"
proj="$work/repo/$sub"

mapfile -t models < <(cd "$proj" && git ls-files 'models/*.sql' | sort | awk 'NR % 97 == 1' | head -n "$n")
for m in "${models[@]}"; do
  f="$proj/$m"
  {
    printf 'select bench_wrapped.*, 1 as bench_added_column from (\n'
    cat "$f"
    printf '\n) as bench_wrapped\nwhere 1 = 1\n'
  } >"$f.new"
  mv "$f.new" "$f"
done
echo "project: $repo ($sub), $(cd "$proj" && git ls-files 'models/*.sql' | wc -l) models, ${#models[@]} changed"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_cmd() {
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" >/dev/null 2>&1 || true
    read -r w u s <"$work/t"
    walls+=("$w")
    cpus+=("$(echo "$u + $s" | bc)")
  done
  echo "wall $(printf '%s\n' "${walls[@]}" | median) s, cpu $(printf '%s\n' "${cpus[@]}" | median) s"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
(cd "$work/repo" && echo "review --base HEAD: $(time_cmd "$bin" review --project "$proj" --base HEAD --format json --no-history) (median of $runs)")
(cd "$work/repo" && "$bin" review --project "$proj" --base HEAD --format json --no-history 2>/dev/null || true) | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["summary"]
print("review: %d models, %d edits, %d tests proposed, %d lint, %s" % (s["models_changed"], s["edits_proposed"], s["tests_proposed"], s["lint_violations"], s["classification"]))'
(cd "$root" && echo "demo: $(time_cmd "$bin" demo) (median of $runs)")
