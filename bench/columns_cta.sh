#!/bin/sh
# dbt-cta selects one sync per run through model-paths: "{{ env_var('SYNC_NAME') }}/models".
# Measure column inference per sync (SYNC_NAME=<dir>) against each sync's documented columns.
# Project code reads only the env vars dataops' settings allow: DATAOPS_SECURITY_ENV_VARS does.
#   bench/columns_cta.sh BIN [PROJECT]
set -u
bin=$1
proj=${2:?give the dbt-cta project directory (a clone of community-tech-alliance/dbt-cta, its dbt-cta/ folder)}
here=$(cd "$(dirname "$0")" && pwd)
for d in "$proj"/*/models; do
  sync=$(basename "$(dirname "$d")")
  echo "== $sync"
  python3 "$here/columns_accuracy.py" --bin "$bin" --project "$proj" --env SYNC_NAME="$sync" \
    --env DATAOPS_SECURITY_ENV_VARS=SYNC_NAME \
    --models-dir "$sync/models" --worst 0 --json "/tmp/cta_$sync.json" | sed -n '1p;$p'
done
python3 - "$proj" <<'PY'
import glob, json
tot = {"models": 0, "parsed": 0, "unresolved": 0, "tp": 0, "fp": 0, "fn": 0, "covered": 0, "truth": 0}
for f in glob.glob("/tmp/cta_*.json"):
    d = json.load(open(f))
    for k in tot:
        tot[k] += d[k]
print(f"all syncs: models {tot['models']} parsed+rendered without error {tot['parsed']} "
      f"({tot['parsed'] / max(tot['models'], 1):.1%}) unresolved {tot['unresolved']}")
P = tot["tp"] / max(tot["tp"] + tot["fp"], 1)
R = tot["tp"] / max(tot["tp"] + tot["fn"], 1)
print(f"vs documented: P={P:.3f} R={R:.3f} covered {tot['covered']}/{tot['truth']} models")
PY
