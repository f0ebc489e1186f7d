"""Grade the course's solutions and a template with whatever grader is installed, from the
current folder, and say whether each grade is what it must be (used by smoke_newest.sh)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

CASES = [
    # notebook (relative to the repository), extra options, expected: "full" or a score
    ("assignments/cnn_basics/solution.ipynb", [], "full"),
    ("assignments/cnn_basics/cnn_basics.ipynb", [], 0.0),
    ("assignments/cifar10_cnn/solution.ipynb", ["--no-train"], "full"),
    ("assignments/regularization/solution.ipynb", [], "full"),
]


def main(repo: Path) -> int:
    drift = 0
    for rel, options, expected in CASES:
        out = Path(f"out-{len(rel)}-{drift}-{time.monotonic_ns()}")
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                str(repo / rel),
                "--out",
                str(out),
                "--quiet",
                *options,
            ],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        reports = list(out.glob("*/report.json"))
        if not reports:
            print(f"DRIFT: {rel}: no report (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            drift += 1
            continue
        r = json.loads(reports[0].read_text(encoding="utf-8"))
        checks = [c for q in r["questions"] for c in q["checks"]]
        lost = [
            f"{c['id']}: {c['status']}" for c in checks if c["status"] not in ("passed", "skipped")
        ]
        if expected == "full":
            ok = r["status"] == "graded" and checks and not lost
        else:
            ok = r["status"] == "graded" and r["score"] == expected
        line = f"{rel} {' '.join(options)}: {r['status']} {r['score']:g}/{r['max_score']:g} in {seconds:.1f} s"
        if ok:
            print(f"ok: {line}")
        else:
            drift += 1
            print(f"DRIFT: {line}: {r.get('error') or '; '.join(lost[:5])}")
    print(
        "newest releases: "
        + ("grade as with the lock" if not drift else f"{drift} grade(s) DRIFTED")
    )
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
