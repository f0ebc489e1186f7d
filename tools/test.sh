#!/bin/sh
# The whole test suite, on what users install: a virtual environment (.venv, made on first
# use; a fresh clone has none) holding the grader and its test tools at the versions of
# requirements.lock, plus the system packages the tests drive (bubblewrap, Chromium) and
# axe-core from npm (tests/axe/package-lock.json).
# Arguments go to pytest.
set -e
cd "$(dirname "$0")/.."
need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
    else
        echo "tools/test.sh: please install:$need (e.g. sudo apt-get install$need)" >&2
        exit 1
    fi
fi
venv=${AUTOGRADER_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
    echo "tools/test.sh: making $venv from requirements.lock (PyTorch included: a few GB)" >&2
    ${PYTHON:-python3} -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q -c requirements.lock -e '.[test]'
# axe-core, the accessibility engine the browser tests inject into every report page, at the
# version of tests/axe/package-lock.json (installed here, never during a test run)
if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ] || [ tests/axe/package-lock.json -nt tests/axe/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "tools/test.sh: $("$venv/bin/python" -m autograder --version | head -2 | tr '\n' ';')" >&2
exec "$venv/bin/python" -m pytest "$@"
