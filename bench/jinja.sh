#!/usr/bin/env bash
# Renders every model of real dbt projects through internal/jinja, in parallel on every core,
# and reports models rendered without error, CPU time per model (getrusage: wall time on a
# shared machine says more about the neighbours) and, where dbt's manifest.json sits beside a
# project, dependency edges and compiled SQL compared with dbt's.
#
#   bench/jinja.sh /path/to/project=snowflake [/path/to/other=postgres ...]
#
# The adapter after "=" is used when the project has no manifest.json naming one. Then the
# micro-benchmarks (a typical mart model, and compiling 200 macro files):
#
#   go test -run XXX -bench . ./internal/jinja
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  echo "usage: $0 /path/to/dbt_project[=adapter] ..." >&2
  exit 2
fi
specs=$(IFS=:; echo "$*")
DATAOPS_REAL_PROJECTS="$specs" go test -count=1 -tags realprojects -run 'TestRealProjects$' -v ./internal/jinja/ |
  grep -E 'models, |edges vs|identical to|warnings by kind|macro diag'
go test -count=1 -run XXX -bench Render -benchtime 2000x ./internal/jinja | grep -E '^Benchmark'
go test -count=1 -run XXX -bench New -benchtime 20x ./internal/jinja | grep -E '^Benchmark'
