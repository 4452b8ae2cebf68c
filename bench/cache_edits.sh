#!/usr/bin/env bash
# What a developer's loop costs with the cache: `parse` run after run on one cache, on a copy of
# a project: cold, after a line is appended to one model (twice), then three runs on the
# unchanged project. Prints CPU seconds (user + system), wall seconds and peak RSS of each run.
#
#   bench/cache_edits.sh PROJECT BIN [BIN...]   e.g. bench/cache_edits.sh ~/Artemis ./old ./new
#
# The binaries take turns, so the neighbours' load falls on all alike.
set -euo pipefail
src=${1:?give a dbt project}; shift
work=$(mktemp -d /tmp/dataops-bench-edits.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
for bin in "$@"; do
  i=$((i + 1))
  proj=$work/p$i
  cp -a "$src" "$proj"
  rm -rf "$proj/.dataops"
  model=$(cd "$proj" && find models -name '*.sql' | sort | awk 'NR <= 50 { m = $0 } END { print m }')
  run() {
    /usr/bin/time -f '%U %S %e %M' "$bin" parse --project "$proj" --cache-dir "$work/cache$i" >/dev/null 2>"$work/time"
    tail -1 "$work/time" | awk '{printf "%.2f s CPU (%.1f s, %d MB)  ", $1 + $2, $3, $4 / 1024}'
  }
  echo -n "$bin: cold "; run
  for n in 1 2; do echo "-- edit $n" >>"$proj/$model"; echo -n "| edit$n "; run; done
  for n in 1 2 3; do echo -n "| same$n "; run; done
  echo
done
