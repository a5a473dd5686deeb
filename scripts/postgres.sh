#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's server binaries) on 127.0.0.1:${TRACING_HEALTH_PG_PORT:-55432}
# for the test suites, and prints the connection string. `scripts/postgres.sh stop` stops it.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
port="${TRACING_HEALTH_PG_PORT:-55432}"
dir="${TRACING_HEALTH_PG_DIR:-/tmp/tracing-health-pg-$port}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/postgres" ] || { echo "postgres.sh: PostgreSQL server binaries not found" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-start}" = stop ]; then
  [ -d "$dir" ] && as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi
if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bin/initdb" -D "$dir" -A trust -U postgres >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$port"
