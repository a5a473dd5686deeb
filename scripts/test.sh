#!/usr/bin/env bash
# Sets up (first run) and runs every test: type check, lint, unit and integration suites (jest via
# backstage-cli, SQLite and PostgreSQL), the Grafana app plugin's build and tests, and the
# end-to-end suites (real OpenTelemetry SDK, Prometheus/promtool, headless Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
yarn() { node "$yarn_release" "$@"; }
export CI=true

step() { printf '\n=== %s ===\n' "$*"; }

# PostgreSQL for the TestDatabases suites (SQLite runs everywhere; PostgreSQL where it can start).
if pg_url="$(scripts/postgres.sh)"; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg_url"
  trap 'scripts/postgres.sh stop' EXIT
else
  echo "test.sh: PostgreSQL unavailable; database suites run on SQLite only" >&2
fi

step "type check"
yarn tsc

step "lint (every package with a lint script)"
yarn lint:all

step "unit and integration tests"
yarn test --ci

step "Grafana app plugin: build and tests"
yarn workspace @internal/grafana-tracing-health-app build
yarn workspace @internal/grafana-tracing-health-app test

step "end-to-end tests"
# The backend's app plugin serves the built app in the browser suites; build it fresh.
rm -rf packages/app/dist
yarn workspace app build
yarn test:e2e
