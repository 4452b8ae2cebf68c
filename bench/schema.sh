#!/usr/bin/env bash
# Benchmark of `dataops schema --base` and `dataops diff --base` on a large real project with a
# small change: a shared clone of the project's repository (the original is never touched) gets
# N models edited in its work tree (each wrapped so that it outputs one more column), then both
# commands run RUNS times against HEAD and the median wall time is printed.
#
#   bench/schema.sh [REPO] [SUBDIR] [N] [RUNS]
#   defaults: /work/projects/dbt . 10 5
#
# Target: schema --base under 1.5 s on the ~3,000-model Artemis project with a 10-model change.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:-/work/projects/dbt}
sub=${2:-.}
n=${3:-10}
runs=${4:-5}
mkdir -p bench/out
CGO_ENABLED=1 go build -o bench/out/dataops ./cmd/dataops
bin=$PWD/bench/out/dataops

work=$(mktemp -d /tmp/dataops-bench-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q --shared "$repo" "$work/repo"
proj="$work/repo/$sub"

# The N smallest-named models that end in a plain select: wrap each so it gains a column.
mapfile -t models < <(cd "$proj" && git ls-files 'models/*.sql' | sort | awk 'NR % 97 == 1' | head -n "$n")
for m in "${models[@]}"; do
  f="$proj/$m"
  {
    printf 'select bench_wrapped.*, 1 as bench_added_column from (\n'
    cat "$f"
    printf '\n) as bench_wrapped\n'
  } >"$f.new"
  mv "$f.new" "$f"
done
echo "project: $repo ($sub), $(cd "$proj" && git ls-files 'models/*.sql' | wc -l) models, ${#models[@]} changed"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Wall time and CPU time (user + sys): on a busy machine the wall time measures the neighbours
# too; the CPU time is what the command itself spends.
time_cmd() {
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$work/t" "$bin" "$@" >/dev/null 2>&1 || true
    read -r w u s <"$work/t"
    walls+=("$w")
    cpus+=("$(echo "$u + $s" | bc)")
  done
  echo "wall $(printf '%s\n' "${walls[@]}" | median) s, cpu $(printf '%s\n' "${cpus[@]}" | median) s"
}
cd "$work/repo"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "diff   --base HEAD: $(time_cmd diff --project "$proj" --base HEAD --format json) (median of $runs)"
echo "schema --base HEAD: $(time_cmd schema --project "$proj" --base HEAD --format json) (median of $runs)"
"$bin" schema --project "$proj" --base HEAD --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("schema: %d files edited, %d findings" % (len(d["edits"]), len(d["findings"])))'
