#!/usr/bin/env bash
# Runs every test of dataops on a fresh Debian machine: installs what the tests need
# (sqlfluff, PostgreSQL, Redis when absent), starts the services, then `go test -race ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sqlfluff >/dev/null 2>&1 || need_apt+=(sqlfluff)
[ -n "${DATAOPS_TEST_PRE_COMMIT:-}" ] || command -v pre-commit >/dev/null 2>&1 || need_apt+=(pre-commit)
python3_sys=/usr/bin/python3
[ -x "$python3_sys" ] && "$python3_sys" -c 'import yaml' 2>/dev/null || need_apt+=(python3-yaml)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The MCP server is checked with the MCP Inspector's CLI, run through npx.
command -v npx >/dev/null 2>&1 || need_apt+=(nodejs npm)
# The service's dashboard is tested in a real headless browser.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL and Redis: throwaway servers on loopback, owned by this run, unless the caller gives
# URLs. A system cluster may exist with password auth, so we never assume one on 5432.
cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c" >/dev/null 2>&1 || true; done' EXIT
if [ -z "${DATAOPS_TEST_POSTGRES_URL:-}" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  dir=$(mktemp -d /tmp/dataops-pg.XXXXXX)
  port=55432
  while pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; do port=$((port + 1)); done
  run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  run_pg "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
  run_pg "$bin/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' -l $dir/log -w start" >/dev/null
  cleanup+=("run_pg '$bin/pg_ctl -D $dir/data -m immediate stop'; rm -rf '$dir'")
  export DATAOPS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
if [ -z "${DATAOPS_TEST_REDIS_URL:-}" ]; then
  port=56379
  while redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; do port=$((port + 1)); done
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  cleanup+=("redis-cli -h 127.0.0.1 -p $port shutdown nosave")
  export DATAOPS_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
fi

export DATAOPS_TEST_SQLFLUFF="${DATAOPS_TEST_SQLFLUFF:-/usr/bin/sqlfluff}"
export DATAOPS_TEST_PRE_COMMIT="${DATAOPS_TEST_PRE_COMMIT:-$(command -v pre-commit)}"
export DATAOPS_TEST_CHROMIUM="${DATAOPS_TEST_CHROMIUM:-$(command -v chromium)}"
export CGO_ENABLED=1

# go.mod and go.sum must be what `go mod tidy` makes of them.
if ! tidy=$(go mod tidy -diff 2>&1); then echo "go mod tidy would change go.mod/go.sum:"; echo "$tidy"; exit 1; fi >&2
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi
# The pre-commit hook test builds dataops from source inside pre-commit, as a user's machine
# does; built here first with the same flags, that build is found in the cache instead of
# compiling every package inside the test while the race-enabled packages compete for the CPU.
GOFLAGS="-buildvcs=false -trimpath" CGO_ENABLED=1 go build -o /dev/null ./cmd/dataops
go test -race -timeout 20m ./...
# Short fuzzing of the parsers that take untrusted input.
for target in $(grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u); do
  for f in $(grep -h '^func Fuzz' "$target"/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
    # Quiet when it passes; what it found (and where it wrote the input) when it fails.
    # Go before 1.27 can report the end of -fuzztime itself as a failure, "context deadline
    # exceeded" with no failing input written (go.dev/issue/75804): that run is made again,
    # once; a failing input, a panic or a second such end fails at once.
    # A worker stopped by the deadline while it minimized a new input is reported as "hung or
    # terminated unexpectedly while minimizing", with that input written as failing: when the
    # input passes on its own (a real crash or hang would not), it is removed and the run made
    # again, once.
    for attempt in 1 2; do
      if out=$(go test -run '^$' -fuzz "^$f\$" -fuzztime 10s "./$target" 2>&1); then break; fi
      if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' <<<"$out" &&
        ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' <<<"$out"; then
        echo "fuzzing $f in $target: the run's deadline was reported as a failure, with no input; running it again" >&2
        continue
      fi
      input=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' <<<"$out" | head -1)
      if [ "$attempt" = 1 ] && [ -n "$input" ] && grep -q 'hung or terminated unexpectedly while minimizing' <<<"$out" &&
        ! grep -qE 'panic:|_test\.go:[0-9]+:' <<<"$out" &&
        timeout 120 go test -run "^$f/$(basename "$input")\$" "./$target" >/dev/null 2>&1; then
        echo "fuzzing $f in $target: a worker stopped while minimizing $input, which passes on its own; running it again" >&2
        rm -f "$target/$input"
        continue
      fi
      echo "fuzzing $f in $target failed:" >&2
      echo "$out" | tail -40 >&2
      exit 1
    done
  done
done
echo "all tests passed"
