#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run the whole suite,
# mypy on kg/ and ruff format --check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/ci-system-deps.sh ]; then
  bash scripts/ci-system-deps.sh   # Debian's chromium and chromedriver for the browser tests
fi
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
.venv/bin/python -m mypy   # kg/ with the settings in pyproject.toml: no errors allowed
types=$?
.venv/bin/ruff format --check --output-format concise kg tests scripts   # as ruff format writes
style=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
if [ "$rc" -eq 0 ] && [ "$types" -ne 0 ]; then
  echo "mypy found type errors in kg/" >&2
  exit "$types"
fi
if [ "$rc" -eq 0 ] && [ "$style" -ne 0 ]; then
  echo "not formatted: run .venv/bin/ruff format kg tests scripts" >&2
  exit "$style"
fi
exit "$rc"
