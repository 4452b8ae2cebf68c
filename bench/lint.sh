#!/usr/bin/env bash
# Agreement with SQLFluff and speed on real dbt projects (see lint_agree.py for the method).
# Usage: bench/lint.sh [FILES]   (default 100 models per project)
# Needs Debian's sqlfluff (1.4.5) and the projects under /work/projects (or PROJECTS=dir).
# SQLFluff's reports are cached in $LINT_BENCH_DIR (default /tmp/dataops-lint-bench): delete
# that directory to time SQLFluff again.
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-100}"
projects="${PROJECTS:-/work/projects}"
work="${LINT_BENCH_DIR:-/tmp/dataops-lint-bench}"
mkdir -p "$work"
go build -o "$work/dataops" ./cmd/dataops
run() { # name project dialect [glob]
  local name=$1 proj=$2 dialect=$3 glob=${4:-models/**/*.sql}
  if [ ! -d "$proj" ]; then echo "== $name: $proj not found, skipped"; return; fi
  echo "== $name ($dialect)"
  python3 bench/lint_agree.py --bin "$work/dataops" --dir "$work/$name" --project "$proj" \
    --dialect "$dialect" --files "$files" --glob "$glob"
}
run jaffle_shop_duckdb "$projects/jaffle_shop_duckdb" postgres
run mattermost "$projects/mattermost-data-warehouse/transform/mattermost-analytics" snowflake
run artemis "$projects/dbt" snowflake
# dbt-cta keeps one dbt project per sync under <sync>/models.
run dbt-cta "$projects/dbt-cta/dbt-cta" bigquery '*/models/**/*.sql'
