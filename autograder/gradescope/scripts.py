"""The two scripts Gradescope runs: ``setup.sh`` (once, when it builds the autograder's
image) and ``run_autograder`` (once per submission). Both are plain Bash with the grader's
choices spelled out, so course staff can read what runs on Gradescope's machine."""

from __future__ import annotations

VENV = "/opt/autograder/venv"
"""Where setup.sh makes the grader's virtual environment (readable by every user, so the
kernel can run as a user of its own)."""

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
"""PyTorch's CPU wheels: the versions the lock pins, without the CUDA libraries (Gradescope's
machines have no GPU)."""

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04,
# its default base image): Python, Debian's bubblewrap (the sandbox), and the grader with
# the tested versions of its libraries (requirements.lock), all from this zip.
set -euo pipefail
source=/autograder/source
venv=__VENV__
torch_index=__TORCH_INDEX__   # empty: PyTorch's default (CUDA) wheels from PyPI

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip bubblewrap \
    ca-certificates >/dev/null
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
extra=()
[ -n "$torch_index" ] && extra=(--extra-index-url "$torch_index")
"$venv/bin/python" -m pip install -q -c "$source/requirements.lock" "${extra[@]}" "$source/grader"

# The solutions and checks are for root (the grader) only: a submission's kernel runs as a
# user of its own, and under bubblewrap it sees neither folder at all.
package=$("$venv/bin/python" -c 'import autograder, os; print(os.path.dirname(autograder.__file__))')
chmod -R go-rwx "$source" "$package/course"
"$venv/bin/python" -m autograder --version

# The checks' truths (what the reference solution and PyTorch answer to the checks' inputs),
# computed once here by grading the solution: a submission's grade then neither computes
# them again nor imports PyTorch (seconds per submission). Kept for root only.
export AUTOGRADER_CACHE=/autograder/cache
for solution in "$package"/course/*/solution.ipynb; do
    "$venv/bin/python" -m autograder "$solution" --out /tmp/autograder-setup --force --quiet \
        --no-train >/dev/null \
        || echo "setup.sh: grading $solution failed; each grade will compute its truths" >&2
done
rm -rf /tmp/autograder-setup
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this as root for every submission, with the student's files in
# /autograder/submission; it must leave /autograder/results/results.json.
#   AUTOGRADER_ROOT    the folder instead of /autograder (to try the package elsewhere)
#   AUTOGRADER_PYTHON  the Python to grade with (default: the one setup.sh installed)
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-__VENV__/bin/python}"
mkdir -p "$root/results"
export AUTOGRADER_CACHE="${AUTOGRADER_CACHE:-$root/cache}"   # the truths setup.sh computed
cd "$root"
"$python" -m autograder.gradescope.run --root "$root"
status=$?
if [ ! -s "$root/results/results.json" ]; then
    # the grader could not even start: still one result, saying so
    cat > "$root/results/results.json" <<EOF
{"score": 0.0, "output": "The autograder could not start (exit status $status). This is not a problem with your work; course staff can see the log.", "output_format": "text", "visibility": "visible", "stdout_visibility": "hidden", "tests": [{"name": "Autograder error", "name_format": "text", "status": "failed", "score": 0.0, "max_score": 0.0, "output": "The autograder could not start (exit status $status).", "output_format": "text", "visibility": "visible"}]}
EOF
fi
exit 0
"""


def setup_sh(torch_index: str = TORCH_CPU_INDEX) -> str:
    """setup.sh, installing PyTorch from ``torch_index`` (empty: PyPI's default wheels)."""
    if any(c in torch_index for c in "\"'`$\\ \n;&|<>"):
        raise ValueError(f"{torch_index!r} is not a plain URL")
    return SETUP_SH.replace("__VENV__", VENV).replace("__TORCH_INDEX__", f'"{torch_index}"')


def run_autograder() -> str:
    return RUN_AUTOGRADER.replace("__VENV__", VENV)
