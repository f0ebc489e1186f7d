#!/bin/sh
# Re-resolve requirements.lock, the versions users and CI install (pip install -c requirements.lock).
#
#   sh tools/lock.sh              # keep every pin that still fits pyproject.toml, add what is new
#   sh tools/lock.sh --upgrade    # move every package to its newest release within the bounds
#   sh tools/lock.sh --upgrade-package nbclient   # move one package
#
# The lock is universal: one file for Python 3.10+ on every platform, with markers where
# versions differ. Then run the whole suite on it (rm -rf .venv && sh tools/test.sh) and
# commit requirements.lock with the change that needed it.
set -e
cd "$(dirname "$0")/.."
tools=${AUTOGRADER_TOOLS_VENV:-.venv-tools}
[ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/python" -m pip install -q uv; }
exec "$tools/bin/uv" pip compile pyproject.toml --extra test --universal --python-version 3.10 \
    --annotation-style line --quiet -o requirements.lock "$@"
