#!/usr/bin/env bash
# Sets up (first run) and starts the portal with the embedded default: backend on
# 127.0.0.1:7007 (SQLite under .data/), app on 127.0.0.1:3000, the example catalog, and demo
# traffic from the OpenTelemetry SDK into the embedded pipeline. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
yarn() { node "$yarn_release" "$@"; }
mkdir -p .data/sqlite

demo_pid=""
cleanup() { [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ "${TRACING_HEALTH_DEMO_TRAFFIC:-true}" = true ]; then
  (
    until curl -sf http://127.0.0.1:7007/api/tracing-health/health >/dev/null 2>&1; do sleep 2; done
    # exec the script itself (not through yarn) so that $demo_pid is the process to stop.
    exec node packages/tracing-pipeline/scripts/demo-traffic.js
  ) &
  demo_pid=$!
fi

yarn start
