#!/bin/sh
# Install everything the test suite needs, then run it. Arguments go to pytest.
set -e
cd "$(dirname "$0")/.."
need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
    else
        echo "tools/test.sh: please install:$need (e.g. sudo apt-get install$need)" >&2
        exit 1
    fi
fi
python -m pip install -q -e '.[test]'
exec python -m pytest "$@"
