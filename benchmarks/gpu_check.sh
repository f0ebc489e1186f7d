#!/bin/sh
# The accuracy check on a lent GPU machine, as ONE call of the device tool (about 6 minutes on
# an H100/H200); see benchmarks/gpu_check.py for what it prints, and the README.
#
#   sh benchmarks/gpu_check.sh --prepare            # here, once: wheels and .deb files into
#                                                   # .device/ (ignored by git) for the device image
#   sh benchmarks/gpu_check.sh                      # there: run(command=..., carry=[".device"])
#   sh benchmarks/gpu_check.sh --device cpu --tiny  # dry run on this machine (tests/test_gpu_check.py)
#
# The device image has PyTorch (Python 3.12) but not the Jupyter packages the grader drives,
# and maybe no bubblewrap: they travel in .device/ and are installed into /tmp there.
set -e
cd "$(dirname "$0")/.."
carried=.device
if [ "$1" = "--prepare" ]; then
    mkdir -p "$carried/whl" "$carried/deb"
    grep -qx "/$carried/" .git/info/exclude 2>/dev/null || echo "/$carried/" >> .git/info/exclude
    # what the grader needs besides what the image holds (numpy, torch, psutil, pytest, ...)
    for spec in $(grep -E '^(jupyter-client|jupyter-core|nbclient|nbformat|ipykernel|ipython|ipython-pygments-lexers|traitlets|pyzmq|tornado|comm|debugpy|decorator|jedi|parso|matplotlib-inline|nest-asyncio|pexpect|ptyprocess|prompt-toolkit|wcwidth|stack-data|asttokens|executing|pure-eval|platformdirs|fastjsonschema|jsonschema|jsonschema-specifications|referencing|rpds-py)==' requirements.lock | grep -v "python_full_version < '3.11'" | sed 's/ *;.*//; s/ *#.*//'); do
        python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
            --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
            --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
            --platform any -d "$carried/whl" "$spec"
    done
    (cd "$carried/deb" && apt-get download bubblewrap >/dev/null 2>&1) || echo "no bubblewrap .deb (apt-get download failed)"
    du -sh "$carried"
    exit 0
fi
python=${PYTHON:-python3}
ready='import sys, autograder.sandbox.provisioner
from importlib.metadata import entry_points
sys.exit(not entry_points(group="jupyter_client.kernel_provisioners", name="autograder-sandbox"))'
if ! "$python" -c "$ready" 2>/dev/null && [ -d "$carried/whl" ]; then
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site "$carried"/whl/*.whl
    # the grader itself, so that jupyter_client finds its kernel provisioner (an entry point)
    "$python" -m pip install -q --no-index --no-deps --no-build-isolation --target /tmp/site .
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
if ! command -v bwrap >/dev/null 2>&1 && ls "$carried"/deb/bubblewrap*.deb >/dev/null 2>&1; then
    dpkg -x "$carried"/deb/bubblewrap*.deb /tmp/bwrap && export PATH=/tmp/bwrap/usr/bin:$PATH
fi
export PYTHONUNBUFFERED=1
exec "$python" benchmarks/gpu_check.py "$@"
