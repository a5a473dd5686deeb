#!/usr/bin/env bash
# Sets up (first run) and runs every test: type check, unit and integration suites (jest via
# backstage-cli, SQLite and PostgreSQL), the Grafana app plugin's build and tests, and the
# end-to-end suites (real OpenTelemetry SDK, Prometheus/promtool, headless Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
yarn() { node "$yarn_release" "$@"; }
export CI=true

step() { printf '\n=== %s ===\n' "$*"; }

step "type check"
yarn tsc

step "unit and integration tests"
yarn test --ci

step "end-to-end tests"
yarn test:e2e
