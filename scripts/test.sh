#!/usr/bin/env bash
# README's second quick-start command: set up everything the tests need, check the package with ruff and
# mypy, then run the suite twice: with every extra (.venv), and with the core alone (.venv-core), where the
# tests that need an extra are skipped with their reason. CORE_RUN=0 skips the second run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_test_env.sh
echo "== ruff, mypy"
.venv/bin/ruff check muspy_like
.venv/bin/mypy
echo "== the suite with every extra"
.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
if [ "${CORE_RUN:-1}" != 0 ]; then
  echo "== the suite with the core alone"
  .venv-core/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
fi
