#!/usr/bin/env bash
# livegrad's two commands, for a fresh clone (Python >= 3.10, Node.js >= 18 and npm on PATH):
#   bash run.sh lab    install everything, build the frontend, open examples/ in JupyterLab
#   bash run.sh test   the whole test suite: lint, JS type check and unit tests, Python tests,
#                   end to end in JupyterLab and Notebook 7 with headless Chromium
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

setup() {
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
  .venv/bin/python -m pip install --quiet -e ".[dev]"
}

ensure_chromium() {
  command -v chromium >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the end-to-end tests (Playwright never downloads a browser here)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "No chromium on PATH and no root for apt-get: the end-to-end tests will be skipped." >&2
  fi
}

case "${1:-}" in
  lab)
    setup
    exec .venv/bin/jupyter lab examples/
    ;;
  test)
    setup
    ensure_chromium
    .venv/bin/ruff check src tests benchmarks
    .venv/bin/ruff format --check src tests benchmarks
    npm run --silent typecheck
    npm run --silent format:check
    npx vitest run
    work=$(mktemp -d "${TMPDIR:-/tmp}/livegrad-test.XXXXXX")
    TMPDIR="$work" .venv/bin/python -m pytest --basetemp="$work/pytest" "${@:2}"
    rm -rf "$work"
    ;;
  *)
    echo "usage: bash run.sh lab | bash run.sh test [pytest options]" >&2
    exit 2
    ;;
esac
