#!/usr/bin/env bash
# How the agents learn from memory, measured on real dbt repositories (docs/measurements.md,
# "Memory: descriptions and learning").
#
#   bench/learn.sh REPO SUBDIR [LIMIT]
#
# REPO is a git clone of a dbt project (read only: every run works on a fresh copy of one
# commit), SUBDIR the project's folder in it (. at the root). It prints:
#   1. the calibration of the retrieval threshold (held-out descriptions, score bands);
#   2. descriptions: dbt_eval.py replay --mode descriptions (when DBT_EVAL points at it);
#   3. tests: the replay in commit order, without memory and with one that accumulates;
#   4. review time without and with a memory of 50,000 records plus what the replay recorded.
set -euo pipefail
repo=$(cd "$1" && pwd)
sub=${2:-.}
limit=${3:-40}
cd "$(dirname "$0")/.."
mkdir -p bench/out
go build -o bench/out/dataops ./cmd/dataops
go build -o bench/out/learn ./bench/learn
work=$(mktemp -d /tmp/dataops-bench-learn.XXXXXX)
trap 'rm -rf "$work"' EXIT

bench/out/learn calibrate "$repo/$sub"
if [ -n "${DBT_EVAL:-}" ]; then
  /usr/bin/time -f "descriptions replay: user %U s, system %S s, wall %e s" \
    python3 "$DBT_EVAL" replay --bin bench/out/dataops --git-dir "$repo/.git" --subdir "$sub" --mode descriptions --limit 30
fi
/usr/bin/time -f "tests replay: user %U s, system %S s, wall %e s" \
  bench/out/learn tests -bin bench/out/dataops -git-dir "$repo/.git" -subdir "$sub" -limit "$limit" -window 5 -memory "$work/mem"

# Review time: the most recent replayed kind of change, on a copy of the repository's HEAD
# with its last commit as the change.
git clone -q --shared "$repo" "$work/clone"
bench/out/learn review-time -bin bench/out/dataops -project "$work/clone/$sub" -base HEAD~1 -records 50000 -runs 3 -memory "$work/mem"
