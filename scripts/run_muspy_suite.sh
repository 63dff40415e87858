#!/usr/bin/env bash
# Run MusPy's own test suite against muspy_like through a one-line alias, or against MusPy itself.
#
#   bash scripts/run_muspy_suite.sh MUSPY_CHECKOUT [muspy_like|muspy] [pytest arguments...]
#
# MUSPY_CHECKOUT is a clone of MusPy's public repository (salu133445/muspy). Its tests/ folder is copied to a
# temporary folder (so the checkout's own muspy/ sources cannot shadow anything), its data folder is taken
# from ../shared/muspy_testdata (identical to MusPy's tests/data), and pytest runs there. With muspy_like
# (the default) a temporary module muspy.py holding `sys.modules["muspy"] = muspy_like` comes first on the
# path: that alias is the only change. With muspy, the installed MusPy runs. MusPy's tests/test_datasets.py
# imports tensorflow: put a folder holding it in EXTRA_PYTHONPATH to run those tests. Nothing of MusPy's
# is copied into this repository.
set -euo pipefail
checkout=$(cd "$1" && pwd); shift
target=${1:-muspy_like}; [ $# -gt 0 ] && shift
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${MUSPY_LIKE_SHARED:-$repo/../shared}
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$checkout/tests" "$work/tests"
rm -rf "$work/tests/data"
ln -s "$(cd "$shared/muspy_testdata" && pwd)" "$work/tests/data"
path=${EXTRA_PYTHONPATH:-}
if [ "$target" = muspy_like ]; then
  mkdir "$work/alias"
  printf 'import sys\nimport muspy_like\nsys.modules[__name__] = muspy_like\n' > "$work/alias/muspy.py"
  path="$work/alias:$repo${path:+:$path}"
elif [ "$target" != muspy ]; then
  echo "target must be muspy_like or muspy, not $target" >&2; exit 2
fi
cd "$work"
PYTHONPATH="$path" "$python" -m pytest tests -p no:cacheprovider -o addopts= -q -rfE "$@"
