#!/usr/bin/env bash
# What a developer's loop costs with the cache: `parse` run after run on one cache, on a copy of
# a project: cold (the run that stores the snapshot), once more, after a line is appended to one
# model (twice), after a line is appended to ten models, then three runs on the unchanged
# project. Prints CPU seconds (user + system), wall seconds and peak RSS of each run.
#
#   bench/cache_edits.sh PROJECT BIN [BIN...]   e.g. bench/cache_edits.sh ~/Artemis ./old ./new
#
# PARSE_ARGS adds flags to every run (PARSE_ARGS='--format json --out /dev/null': the manifest).
# The binaries take turns at every step (each on its own copy and cache), so the neighbours'
# load falls on all alike.
set -euo pipefail
src=${1:?give a dbt project}; shift
work=$(mktemp -d /tmp/dataops-bench-edits.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
n=$#
bins=("$@")
for i in $(seq 1 "$n"); do
  cp -a "$src" "$work/p$i"
  rm -rf "$work/p$i/.dataops"
  : >"$work/out$i"
done
models=$(cd "$work/p1" && find models -name '*.sql' | sort | awk 'NR > 40 && NR <= 50')
model=$(echo "$models" | tail -1)
run() { # step label, then runs every binary once
  for i in $(seq 1 "$n"); do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%U %S %e %M' "${bins[$((i - 1))]}" parse --project "$work/p$i" --cache-dir "$work/cache$i" ${PARSE_ARGS:-} >/dev/null 2>"$work/time"
    tail -1 "$work/time" | awk -v l="$1" '{printf "%s %.2f s CPU (%.1f s, %d MB)  ", l, $1 + $2, $3, $4 / 1024}' >>"$work/out$i"
  done
}
run cold
run "| warm"
for e in 1 2; do
  for i in $(seq 1 "$n"); do echo "-- edit $e" >>"$work/p$i/$model"; done
  run "| edit$e"
done
for i in $(seq 1 "$n"); do for m in $models; do echo "-- edit 10" >>"$work/p$i/$m"; done; done
run "| edit10"
for s in 1 2 3; do run "| same$s"; done
for i in $(seq 1 "$n"); do echo "${bins[$((i - 1))]}: $(cat "$work/out$i")"; done
