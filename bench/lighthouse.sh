#!/usr/bin/env bash
# Lighthouse on every page of a booking (see bench/lighthouse.py, which does
# the work): installs the pinned Lighthouse from bench/package.json and
# bench/package-lock.json into bench/.npm/ (git-ignored) when it is missing
# or another version, then runs bench/lighthouse.py with the arguments given.
#
#   bench/lighthouse.sh              # one run per page
#   bench/lighthouse.sh --runs 3     # the median of three runs per page
#
# Needs: `make setup`, Node.js and npm (Lighthouse 13 asks for Node 22 but
# runs on Node 20; npm warns about the engine, nothing more), and Debian's
# Chromium at /usr/bin/chromium. Reports: test-artifacts/lighthouse/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NPM_DIR="$ROOT/bench/.npm"
WANTED="$(sed -n 's/.*"lighthouse": *"\([^"]*\)".*/\1/p' bench/package.json | head -n 1)"

installed() {
  [ -x "$NPM_DIR/node_modules/.bin/lighthouse" ] &&
    [ "$("$NPM_DIR/node_modules/.bin/lighthouse" --version 2>/dev/null)" = "$WANTED" ]
}

if ! installed; then
  command -v npm >/dev/null || { echo "lighthouse.sh: npm is missing (install Node.js)" >&2; exit 1; }
  echo "Installing Lighthouse $WANTED into bench/.npm/ ..." >&2
  mkdir -p "$NPM_DIR"
  cp bench/package.json bench/package-lock.json "$NPM_DIR/"
  (cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  installed || { echo "lighthouse.sh: Lighthouse $WANTED did not install" >&2; exit 1; }
fi

[ -x .venv/bin/python ] || { echo "lighthouse.sh: .venv is missing: run \`make setup\`" >&2; exit 1; }
exec .venv/bin/python bench/lighthouse.py "$@"
