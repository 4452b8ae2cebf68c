#!/usr/bin/env bash
# Runs every test of dataops on a fresh Debian machine: installs what the tests need
# (sqlfluff, PostgreSQL, Redis when absent), starts the services, then `go test -race ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sqlfluff >/dev/null 2>&1 || need_apt+=(sqlfluff)
python3_sys=/usr/bin/python3
[ -x "$python3_sys" ] && "$python3_sys" -c 'import yaml' 2>/dev/null || need_apt+=(python3-yaml)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL: use the one on 127.0.0.1:5432 when it answers, else start a throwaway cluster.
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }
if [ -z "${DATAOPS_TEST_POSTGRES_URL:-}" ]; then
  if pg_ready 5432; then
    export DATAOPS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
  else
    if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
    fi
    if pg_ready 5432; then
      export DATAOPS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    else
      bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
      dir=$(mktemp -d /tmp/dataops-pg.XXXXXX)
      chown -R postgres "$dir" 2>/dev/null || true
      run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
      run_pg "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
      run_pg "$bin/pg_ctl -D $dir/data -o '-p 55432 -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null
      export DATAOPS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
    fi
  fi
fi

# Redis: use the one on 127.0.0.1:6379 when it answers, else start one.
if [ -z "${DATAOPS_TEST_REDIS_URL:-}" ]; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export DATAOPS_TEST_REDIS_URL="redis://127.0.0.1:6379/0"
fi

export DATAOPS_TEST_SQLFLUFF="${DATAOPS_TEST_SQLFLUFF:-/usr/bin/sqlfluff}"
export CGO_ENABLED=1

# go.mod and go.sum must be what `go mod tidy` makes of them.
if ! tidy=$(go mod tidy -diff 2>&1); then echo "go mod tidy would change go.mod/go.sum:"; echo "$tidy"; exit 1; fi >&2
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi
go test -race -timeout 20m ./...
# Short fuzzing of the parsers that take untrusted input.
for target in $(grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u); do
  for f in $(grep -h '^func Fuzz' "$target"/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
    go test -run '^$' -fuzz "^$f\$" -fuzztime 10s "./$target" >/dev/null
  done
done
echo "all tests passed"
