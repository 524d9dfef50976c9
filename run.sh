#!/usr/bin/env bash
# livegrad's two commands, for a fresh clone (Python >= 3.10, Node.js >= 18 and npm on PATH):
#   bash run.sh lab [jupyter options]   install livegrad and JupyterLab, build the frontend, open examples/
#   bash run.sh test [pytest options]   the whole test suite: lint, the docs site built strictly, JS type check and
#                                       unit tests, Python tests, end to end in JupyterLab and Notebook 7 with
#                                       headless Chromium
#   bash run.sh pictures [-k NAME]      remake the README's and the docs' pictures (docs/img/) from the page
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

# Setup is skipped where its inputs are unchanged since it last succeeded: each install writes a stamp
# (node_modules/.livegrad-setup, .venv/.livegrad-setup) holding a hash of what it installed from.
digest() {
  .venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(b"".join(open(f, "rb").read() for f in sys.argv[1:])).hexdigest())' "$@"
}

setup() {  # $1: the pip extra, "lab" (livegrad, JupyterLab) or "dev" (everything, which includes lab)
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local npm_key pip_key
  npm_key=$(digest package.json package-lock.json)
  if [ "$(cat node_modules/.livegrad-setup 2>/dev/null)" != "$npm_key" ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_key" >node_modules/.livegrad-setup
  fi
  npm run --silent build  # always: esbuild takes a fraction of a second, and js/ may have changed
  pip_key=$(digest pyproject.toml)
  case "$(cat .venv/.livegrad-setup 2>/dev/null)" in
    "$pip_key $1" | "$pip_key dev") ;;  # done already ("dev" includes "lab")
    *)
      .venv/bin/python -m pip install --quiet --upgrade pip
      .venv/bin/python -m pip install --quiet -e ".[$1]"
      echo "$pip_key $1" >.venv/.livegrad-setup
      ;;
  esac
}

apt_install() {  # $1: a command, $2: the Debian package that has it, $3: what needs it
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's $2 for $3"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "No $1 on PATH and no root for apt-get: $3 will be skipped." >&2
  fi
}

case "${1:-}" in
  lab)
    shift
    setup lab
    [ "$(id -u)" = 0 ] && set -- --allow-root "$@"  # Jupyter refuses to run as root without it
    exec .venv/bin/jupyter lab examples/ "$@"
    ;;
  test)
    shift
    setup dev
    apt_install chromium chromium "the end-to-end tests (Playwright never downloads a browser here)"
    apt_install dot graphviz "draw_dot's rendering tests"
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    work=$(mktemp -d "${TMPDIR:-/tmp}/livegrad-test.XXXXXX")
    # The docs site (mkdocs.yml): strict, so a link to a page or picture that does not exist fails; then the
    # pictures README.md and docs/ show: each there, and within its size budget. Built outside the clone.
    NO_MKDOCS_2_WARNING=1 .venv/bin/python -m mkdocs build --strict --quiet --site-dir "$work/site"
    .venv/bin/python scripts/pictures.py --check
    npm run --silent typecheck
    npm run --silent format:check
    npx vitest run
    TMPDIR="$work" .venv/bin/python -m pytest --basetemp="$work/pytest" "$@"
    rm -rf "$work"
    ;;
  pictures)
    shift
    setup dev
    apt_install chromium chromium "the pictures (Playwright never downloads a browser here)"
    exec .venv/bin/python scripts/pictures.py "$@"
    ;;
  *)
    echo "usage: bash run.sh lab [jupyter options] | bash run.sh test [pytest options] | bash run.sh pictures" >&2
    exit 2
    ;;
esac
