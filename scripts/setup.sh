#!/usr/bin/env bash
# One-time (idempotent) set-up for a fresh machine: Node 22 in .tools/node when the machine's
# Node is older, Debian packages the tests need (when root), dependencies with the committed Yarn,
# native modules compiled against that Node's headers. Source it to get the environment:
#   . scripts/setup.sh
# The caller's shell options come back at the end, so sourcing it does not leave `set -e` on.
setup_saved_flags="$-"
setup_saved_pipefail="$(shopt -qo pipefail && echo -o || echo +o)"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="$("$root/scripts/ensure-node.sh")"
export PATH="$node_bin:$PATH"
# node-gyp must build better-sqlite3 against the headers of the Node that will load it.
export npm_config_nodedir="$(cd "$node_bin/.." && pwd)"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The several-replicas e2e suite runs a real load balancer.
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ! -x /usr/lib/postgresql/15/bin/postgres ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then missing+=(postgresql); fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]} (not root: install them yourself); tests that need them will fail" >&2
  fi
fi

yarn_release="$(ls "$root"/.yarn/releases/yarn-*.cjs | head -n 1)"
yarn() { node "$yarn_release" "$@"; }
stamp="$root/node_modules/.setup-stamp"
want="$(node --version) $(sha1sum "$root/yarn.lock" | cut -c1-40)"
# Several shells may source this at once (parallel test runners, editors): one installs, the
# others wait for it and then find the stamp current.
exec 9>"$root/.setup.lock"
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd "$root" && yarn install --immutable)
  # Rebuild native addons if an earlier install compiled them for another Node ABI.
  if ! (cd "$root/packages/backend" && node -e "new (require('better-sqlite3'))(':memory:').close()") 2>/dev/null; then
    (cd "$root" && yarn rebuild better-sqlite3)
  fi
  echo "$want" > "$stamp"
fi
flock -u 9
exec 9>&-
case "$setup_saved_flags" in *e*) ;; *) set +e ;; esac
case "$setup_saved_flags" in *u*) ;; *) set +u ;; esac
set "$setup_saved_pipefail" pipefail
