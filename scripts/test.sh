#!/usr/bin/env bash
# README's second quick-start command: set up everything the tests need, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_test_env.sh
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
