#!/usr/bin/env bash
# Sets up (first run) and runs every test: type check, formatting, lint, the engine's build and the
# production backend bundle, unit and integration suites (jest via
# backstage-cli, SQLite and PostgreSQL), the Grafana app plugin's build and tests, and the
# end-to-end suites (real OpenTelemetry SDK, Prometheus/promtool, headless Chromium).
# The first failing stage ends the run (non-zero exit); either way it ends with one line per
# stage (passed/failed/not run, jest's test counts, time) and a verdict.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
yarn() { node "$yarn_release" "$@"; }
export CI=true

step() { printf '\n=== %s ===\n' "$*"; }

# One entry per stage, in order; run_stage fills in the results.
stage_names=("type check" "format" "lint" "build" "bundle" "unit" "Grafana" "e2e")
declare -A stage_result=() stage_seconds=() stage_counts=()
current_stage=""
current_started=0
current_log=""
run_started=$SECONDS
postgres_started=false
stage_logs="$(mktemp -d)"

# "612 passed, 3 skipped, 615 total" summed over every jest "Tests:" line in a stage's output.
jest_counts() {
  sed -e 's/\x1b\[[0-9;]*m//g' "$1" | awk '
    /^Tests:/ {
      seen = 1
      for (i = 2; i <= NF; i++) {
        n = $i + 0; word = $(i + 1); gsub(/,/, "", word)
        if (word == "failed") failed += n
        else if (word == "skipped") skipped += n
        else if (word == "todo") todo += n
        else if (word == "passed") passed += n
        else if (word == "total") total += n
      }
    }
    END {
      if (!seen) exit
      out = ""
      if (failed) out = out failed " failed, "
      out = out passed " passed, "
      if (skipped) out = out skipped " skipped, "
      if (todo) out = out todo " todo, "
      print out total " tests"
    }'
}

duration() { printf '%dm %02ds' $(($1 / 60)) $(($1 % 60)); }

finish_stage() {
  local result="$1"
  stage_result["$current_stage"]="$result"
  stage_seconds["$current_stage"]=$((SECONDS - current_started))
  stage_counts["$current_stage"]="$(jest_counts "$current_log" || true)"
  current_stage=""
}

# Runs one stage with its output shown and kept (for the counts). A failure exits the script
# through `set -e`; the EXIT trap then records the stage as failed.
run_stage() {
  current_stage="$1"
  shift
  current_started=$SECONDS
  current_log="$stage_logs/${#stage_result[@]}.log"
  step "$current_stage"
  "$@" 2>&1 | tee "$current_log"
  finish_stage passed
}

print_summary() {
  local status="$1" name line failed=""
  printf '\n=== summary ===\n'
  for name in "${stage_names[@]}"; do
    if [ -n "${stage_result[$name]:-}" ]; then
      line="$(printf '%-11s %-7s %s' "$name:" "${stage_result[$name]}" \
        "$(duration "${stage_seconds[$name]}")")"
      [ -n "${stage_counts[$name]}" ] && line="$line  (${stage_counts[$name]})"
      [ "${stage_result[$name]}" = failed ] && failed="$name"
    else
      line="$(printf '%-11s %s' "$name:" "not run")"
    fi
    echo "$line"
  done
  if [ "$status" -eq 0 ]; then
    echo "verdict: PASSED in $(duration $((SECONDS - run_started)))"
  elif [ -n "$failed" ]; then
    echo "verdict: FAILED at $failed (exit $status) after $(duration $((SECONDS - run_started)))"
  else
    echo "verdict: FAILED before the first stage (exit $status)"
  fi
}

on_exit() {
  local status=$?
  set +e
  if [ -n "$current_stage" ]; then finish_stage failed; fi
  if [ "$postgres_started" = true ]; then scripts/postgres.sh stop; fi
  print_summary "$status"
  rm -rf "$stage_logs"
  exit "$status"
}
trap on_exit EXIT

# PostgreSQL for the TestDatabases suites (SQLite runs everywhere; PostgreSQL where it can start).
if pg_url="$(scripts/postgres.sh)"; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg_url"
  postgres_started=true
else
  echo "test.sh: PostgreSQL unavailable; database suites run on SQLite only" >&2
fi

build_engine() {
  yarn workspace @internal/tracing-model build
  yarn workspace @internal/tracing-pipeline build
  yarn workspace @internal/tracing-pipeline check:build
}

grafana() {
  yarn workspace @internal/grafana-tracing-health-app build
  yarn workspace @internal/grafana-tracing-health-app test
}

e2e() {
  # The backend's app plugin serves the built app in the browser suites; build it fresh.
  rm -rf packages/app/dist
  yarn workspace app build
  yarn test:e2e
}

run_stage "type check" yarn tsc
# Every file prettier formats (.prettierignore names the generated ones, checked for drift by tests).
run_stage "format" yarn prettier:check
lint() {
  yarn lint:all
  # The Grafana app is not a Backstage package: backstage-cli repo lint leaves it out.
  yarn workspace @internal/grafana-tracing-health-app lint
}

# Every package with a lint script.
run_stage "lint" lint
# The engine as a production bundle loads it: built (from the type check's declarations), its
# worker threads started from the built worker module.
run_stage "build" build_engine
# The production backend bundle (yarn build:backend), installed and started as a Dockerfile does.
run_stage "bundle" yarn workspace backend check:bundle
run_stage "unit" yarn test --ci
run_stage "Grafana" grafana
run_stage "e2e" e2e
