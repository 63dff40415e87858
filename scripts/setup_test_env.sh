#!/usr/bin/env bash
# Installs everything the test suite needs into ./.venv: Debian packages (FluidSynth with the GM sound
# font, ffmpeg/lame for MP3 round trips, Chromium for the report screenshot) and the Python packages of
# the project's extras, and ./.venv-core with the core alone. Safe to run again: each step is a no-op
# when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# gcc, libc6-dev and python3-dev build the optional compiled MIDI decoder, so that the tests cover it too.
APT_PACKAGES="fluidsynth libfluidsynth3 fluid-soundfont-gm ffmpeg lame chromium python3-venv gcc libc6-dev python3-dev"
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  missing=""
  for pkg in $APT_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    echo "== apt-get install$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
  fi
else
  echo "apt-get not found: install FluidSynth, a GM sound font, ffmpeg and Chromium by hand" >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
echo "== pip install -e .[dev] (every extra, tests, docs, benchmarks' peers, ruff, mypy)"
.venv/bin/python -m pip install -q --upgrade pip
# The CPU build of PyTorch, for the DataLoader tests; a range that admits it installs nothing more.
.venv/bin/python -m pip install -q "torch==2.13.0" || .venv/bin/python -m pip install -q torch
.venv/bin/python -m pip install -q -e ".[dev]"

# A second environment with the core alone (and the test tools): the suite runs there too.
if [ ! -x .venv-core/bin/python ]; then
  echo "== creating .venv-core with $($PYTHON --version)"
  "$PYTHON" -m venv .venv-core
fi
echo "== pip install -e .[test] into .venv-core"
.venv-core/bin/python -m pip install -q --upgrade pip
.venv-core/bin/python -m pip install -q -e ".[test]"
