#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run the whole suite and
# mypy on kg/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/ci-system-deps.sh ]; then
  bash scripts/ci-system-deps.sh   # Debian's chromium for the picture test, when root
fi
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
.venv/bin/python -m mypy   # kg/ with the settings in pyproject.toml: no errors allowed
types=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
if [ "$rc" -eq 0 ] && [ "$types" -ne 0 ]; then
  echo "mypy found type errors in kg/" >&2
  exit "$types"
fi
exit "$rc"
