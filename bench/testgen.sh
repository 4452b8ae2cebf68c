#!/usr/bin/env bash
# Held-out evaluation of the Test Enhancer on real dbt projects: the tests of a random 30% of
# the tested models are removed, `dataops tests` is asked for suggestions, and (model, column,
# test type) is scored against what the team wrote, beside a naive and a learned-pattern
# baseline. Usage: bench/testgen.sh EVAL_SCRIPT PROJECT [PROJECT...]
# EVAL_SCRIPT is the held-out evaluation harness; projects stay outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_script=$1; shift
go build -o /tmp/dataops-bench ./cmd/dataops
for p in "$@"; do
  for seed in 11 3 5; do
    echo "== $p (seed $seed)"
    python3 "$eval_script" tests --bin /tmp/dataops-bench --project "$p" --seed "$seed" | tail -n 7
  done
done
