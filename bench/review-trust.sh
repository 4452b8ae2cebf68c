#!/usr/bin/env bash
# Replays real merged pull requests of public dbt projects through `dataops review` and reports,
# per case, what a reviewer would have to read: findings by agent and rule, phantom models
# (reported as changed though the pull request touched neither their SQL nor their property
# entry), and unsafe safe edits (a safe edit that writes a test not confirmed on data). Each
# case is the merge commit as head and its first parent as base, in a shared clone: the
# projects given are never written to. The findings of every case are written to
# bench/out/review-trust/<case>.json for a person to judge one by one (docs/measurements.md).
#
#   bench/review-trust.sh [-b BINARY] [-c CASE]... NAME=PATH...
#
# NAME is one of the projects the cases below use, PATH a git clone of it:
#   mattermost  mattermost/mattermost-data-warehouse (project in transform/mattermost-analytics)
#   ol          mitodl/ol-data-platform (project in src/ol_dbt)
#   tuva        tuva-health/tuva
#   artemis     Artemis-xyz/dbt
# Cases of projects not given are skipped. -b runs another build (e.g. an older one, to compare);
# by default the work tree's CLI is built. -c keeps only the named cases.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=""
only=()
while getopts "b:c:" opt; do
  case $opt in
    b) bin=$OPTARG ;;
    c) only+=("$OPTARG") ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
declare -A repos
for a in "$@"; do
  repos[${a%%=*}]=$(cd "${a#*=}" && pwd)
done
if [ -z "$bin" ]; then
  mkdir -p bench/out
  CGO_ENABLED=1 go build -o bench/out/dataops ./cmd/dataops
  bin=$root/bench/out/dataops
fi
out=$root/bench/out/review-trust
mkdir -p "$out"

# name project subdir commit extra-args  (the base is the commit's first parent; "clean" diffs
# the commit against itself: a clean tree must report nothing)
cases='
mm-nps-daily-server    mattermost transform/mattermost-analytics 9f6088b0 -
mm-license-settings    mattermost transform/mattermost-analytics db3e8cae -
mm-db-version-parts    mattermost transform/mattermost-analytics 3c1bea2c -
mm-clean-tree          mattermost transform/mattermost-analytics clean    -
ol-feedback-models     ol         src/ol_dbt                     49d7ee60 -
ol-program-certs       ol         src/ol_dbt                     0bed7cbd -
ol-user-pk             ol         src/ol_dbt                     a20a7286 -
ol-program-lookup      ol         src/ol_dbt                     717d0ff6 -
ol-scd2-keys           ol         src/ol_dbt                     67771f59 -
tuva-composite-key     tuva       .                              8a14c518 vars
tuva-ingest-datetime   tuva       .                              a689a7b5 vars
tuva-nullable-columns  tuva       .                              2b73f191 vars
tuva-condition-id      tuva       .                              78aca6ac vars
artemis-bonk-flows     artemis    .                              d3c59b3f -
artemis-ts-columns     artemis    .                              3ac9fb29 -
'
tuva_vars='{tuva_marts_enabled: true, claims_enabled: true, clinical_enabled: true}'

work=$(mktemp -d /tmp/dataops-bench-trust.XXXXXX)
trap 'rm -rf "$work"' EXIT
{
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs; binary $bin"
printf '%-22s %6s %6s %6s %6s %6s %7s %7s %8s\n' case models finds schema tests impact phantom unsafe wall/cpu
while read -r name proj sub commit extra; do
  [ -n "$name" ] || continue
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " =~ " $name " ]]; then continue; fi
  src=${repos[$proj]:-}
  [ -n "$src" ] || continue
  clone=$work/$proj
  [ -d "$clone" ] || git -c advice.detachedHead=false clone -q --shared "$src" "$clone"
  if [ "$commit" = clean ]; then
    git -C "$clone" -c advice.detachedHead=false checkout -q -f "$(git -C "$clone" rev-parse HEAD)"
    base=HEAD
  else
    git -C "$clone" -c advice.detachedHead=false checkout -q -f "$commit"
    base=$commit^
  fi
  git -C "$clone" clean -qfdx
  args=(review --project "$clone/$sub" --base "$base" --format json --no-lint)
  [ "$extra" = vars ] && args+=(--vars "$tuva_vars")
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$bin" "${args[@]}" >"$out/$name.json" 2>"$out/$name.err" || true
  read -r wall user sys <"$work/t"
  python3 "$root/bench/review_trust.py" "$name" "$clone" "$sub" "$base" "$out/$name.json" "$wall" "$user" "$sys"
done <<<"$cases"
} | tee "$out/summary.txt"
