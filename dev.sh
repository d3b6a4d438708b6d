#!/usr/bin/env bash
# One entry point that installs what the project needs and runs it.
#   ./dev.sh demo    set up, migrate (carbon demo runs `carbon db upgrade` first), import sample_inputs/,
#                    compute, print a summary, serve on :8000
#   ./dev.sh test    set up with test tools, run lint, types, layer rules and the whole test suite
#   ./dev.sh setup   only install
#   ./dev.sh bench NAME [options]   set up with the benchmark tools (wrk, gunicorn, pyinstrument)
#                    and run bench/bench_NAME.py: api, import, recompute, report, cluster; or province
#                    (bench/load_province.py) to load 200,000 enterprises x 3 years
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(fonts-noto-cjk poppler-utils chromium)
PYTHON=${PYTHON:-python3}

ensure_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_venv() {
  local extras=$1
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  local stamp=".venv/.installed-$extras"
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing Python packages (.venv)" >&2
    .venv/bin/python -m pip install -qq --upgrade pip
    if [ "$extras" = test ]; then
      .venv/bin/python -m pip install -qq -e '.[test]'
    elif [ "$extras" = bench ]; then
      .venv/bin/python -m pip install -qq -e '.[test,bench]'
    else
      .venv/bin/python -m pip install -qq -e .
    fi
    echo "$want" > "$stamp"
  fi
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  setup)
    ensure_apt; ensure_venv test ;;
  demo)
    ensure_apt; ensure_venv base
    exec .venv/bin/carbon demo "$@" ;;
  test)
    ensure_apt; ensure_venv test
    echo "== ruff" >&2
    .venv/bin/ruff check .
    echo "== mypy --strict (carbon, importers, reports)" >&2
    .venv/bin/mypy
    echo "== import-linter (layers)" >&2
    .venv/bin/lint-imports
    echo "== the migrations build exactly the models" >&2
    mdir=$(mktemp -d)
    CARBON_DATABASE_URL="sqlite:///$mdir/m.db" .venv/bin/alembic upgrade head >/dev/null 2>&1
    CARBON_DATABASE_URL="sqlite:///$mdir/m.db" .venv/bin/alembic check
    rm -rf "$mdir"
    echo "== sample inputs are what the generator makes" >&2
    .venv/bin/python sample_inputs/generate.py --check
    echo "== pytest (SQLite and PostgreSQL), one worker per core, slowest tests listed last" >&2
    set +e
    # every test has its own SQLite file or PostgreSQL schema, so workers share nothing
    .venv/bin/python -m pytest -n "${CARBON_TEST_WORKERS:-auto}" --dist loadgroup --durations=15 "$@"
    rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
      echo "pytest collected no tests: failing" >&2
      exit 1
    fi
    exit "$rc" ;;
  bench)
    APT_PACKAGES+=(wrk)
    ensure_apt; ensure_venv bench
    name=${1:-}
    shift || true
    case "$name" in
      api|import|recompute|report|cluster) exec .venv/bin/python "bench/bench_$name.py" "$@" ;;
      province) exec .venv/bin/python bench/load_province.py "$@" ;;
      *) echo "usage: ./dev.sh bench api|import|recompute|report|cluster|province [options]" >&2; exit 2 ;;
    esac ;;
  *)
    echo "usage: ./dev.sh [demo|test|setup|bench]" >&2; exit 2 ;;
esac
