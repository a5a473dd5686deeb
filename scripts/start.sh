#!/usr/bin/env bash
# Sets up (first run) and starts the portal with the embedded default: backend on
# 127.0.0.1:7007 (SQLite under .data/), app on 127.0.0.1:3000, the example catalog, and demo
# traffic from the OpenTelemetry SDK into the embedded pipeline. Ctrl-C stops everything, the
# backend first and gracefully: its shutdown hooks drain the pipeline (what the tail sampler
# holds is decided and exported) before the app and this script exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
mkdir -p .data/sqlite

# Why not `yarn start` (backstage-cli repo start): on Ctrl-C the terminal sends SIGINT to the
# whole process group, so the backend gets it directly and once more forwarded by backstage-cli.
# Backstage's exit handler stops the backend on the first signal and calls process.exit(0) at
# once on the second (the instance is already unregistered), which cut the shutdown hooks short:
# the pipeline's flush was usually lost. Here the backend and the app run in process groups of
# their own (job control), so Ctrl-C reaches this script only; it sends one SIGTERM to the
# backend's backstage-cli, which forwards one to the backend and waits for it to exit.
cli="$PWD/node_modules/@backstage/cli/bin/backstage-cli"
backend_pid=""
app_pid=""
demo_pid=""
# Enough for the pipeline's shutdownTimeoutMs (10 s by default) and every other shutdown hook.
stop_timeout_seconds=60

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_all() {
  trap 'echo "start.sh: still stopping the backend (draining its pipeline)..." >&2' INT TERM
  if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; fi
  if [ -n "$backend_pid" ] && group_alive "$backend_pid"; then
    echo "start.sh: stopping the backend (its pipeline drains first)..." >&2
    kill -TERM "$backend_pid" 2>/dev/null || true
    local waited=0
    while group_alive "$backend_pid" && [ "$waited" -lt $((stop_timeout_seconds * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if group_alive "$backend_pid"; then
      echo "start.sh: the backend did not stop within ${stop_timeout_seconds}s; killing it" >&2
      kill -KILL -- "-$backend_pid" 2>/dev/null || true
    fi
  fi
  if [ -n "$app_pid" ] && group_alive "$app_pid"; then
    kill -TERM -- "-$app_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}

on_signal() {
  stop_all
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# Background jobs in their own process groups; their stdin is /dev/null (a background group
# reading the terminal would be stopped by SIGTTIN).
set -m
(cd packages/backend && exec node "$cli" package start </dev/null) &
backend_pid=$!
(cd packages/app && exec node "$cli" package start </dev/null) &
app_pid=$!
if [ "${TRACING_HEALTH_DEMO_TRAFFIC:-true}" = true ]; then
  (
    until curl -sf http://127.0.0.1:7007/api/tracing-health/health >/dev/null 2>&1; do sleep 2; done
    # exec the script itself (not through yarn) so that $demo_pid is the process to stop.
    exec node packages/tracing-pipeline/scripts/demo-traffic.js
  ) </dev/null &
  demo_pid=$!
fi
set +m

# Runs until Ctrl-C (trap above) or until the backend or the app exits on its own.
status=0
wait -n "$backend_pid" "$app_pid" || status=$?
echo "start.sh: the backend or the app exited ($status); stopping the rest" >&2
stop_all
exit "$status"
