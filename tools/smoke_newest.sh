#!/bin/sh
# Drift check: the grader installed as a user installs it (pip install ., not editable),
# with the NEWEST releases of everything it depends on (no lock: only pyproject.toml's
# bounds), graded from another folder. Prints the versions it got and DRIFT lines when a
# grade is not what it is with requirements.lock; exit status 1 then. .ci/run reports it
# without failing the run (users install from the lock); fix it, then move the lock.
set -e
cd "$(dirname "$0")/.."
repo=$(pwd)
venv=${AUTOGRADER_NEWEST_VENV:-$repo/.venv-newest}
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q --upgrade "$repo"
echo "== smoke grade on the newest releases =="
"$venv/bin/grade" --version
"$venv/bin/python" -m pip list --format=freeze 2>/dev/null \
    | grep -iE '^(jupyter[-_]client|jupyter[-_]core|nbclient|nbformat|ipykernel|ipython|pyzmq|tornado|traitlets|pytest|numpy|psutil|torch|torchvision)==' \
    | tr '\n' ' '
echo
work=$(mktemp -d)
cd "$work"
exec "$venv/bin/python" "$repo/tools/smoke.py" "$repo"
