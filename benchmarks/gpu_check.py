"""The accuracy check on a real GPU, in one run: what benchmarks/gpu_check.sh runs.

    python benchmarks/gpu_check.py [--device cuda] [--tiny] [--out DIR]

Prints, as Markdown (and writes DIR/gpu_check.md):

(a) whether the sandboxed kernel, as the sandbox's user, can use the device under
    bwrap and under process isolation (the probe the grader runs before any
    student code), or why not;
(b) seconds per epoch of the grader's trainer for fp32, bf16, and bf16 with
    channels-last, against the course's own DataLoader loop (float32, as the
    course writes it) on the same device, on a CIFAR-sized synthetic set;
(c) the whole ``grade <solution> --device cuda``: wall time, epochs, seconds per
    epoch, and the test accuracy against the bar.

``--tiny`` (with ``--device cpu``) is the dry run that tests/test_gpu_check.py
does on a machine without a GPU: the same steps on a few hundred images.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    found = [f"Python {platform.python_version()}"]
    for name in ("torch", "numpy", "jupyter_client", "nbclient", "ipykernel"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return found


def device_line(device: str) -> str:
    import torch

    if device != "cuda":
        return f"CPU ({os.cpu_count()} cores)"
    name = torch.cuda.get_device_name()
    try:
        driver = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        driver = "unknown"
    return f"{name}, driver {driver}, CUDA {torch.version.cuda}"


def sandbox_probe(kind: str, device: str) -> str:
    """Start a sandboxed kernel as the grader does and run the trainer's device probe."""
    import nbformat

    from autograder.config import Limits
    from autograder.errors import GraderError
    from autograder.kernel import Kernel
    from autograder.proxy import Student
    from autograder.sandbox import Sandbox, SandboxSpec, bwrap_problem
    from autograder.training import CALL

    if kind == "bwrap" and bwrap_problem():
        return f"refused: {bwrap_problem()}"
    with tempfile.TemporaryDirectory() as tmp:
        nb = Path(tmp) / "probe.ipynb"
        nbformat.write(nbformat.v4.new_notebook(), nb)
        limits = Limits()
        box = Sandbox(
            SandboxSpec(kind=kind, limits=limits, memory_mb=32768, device=device, gpu="0"),
            nb,
            filename="probe.ipynb",
        )
        kernel = Kernel(box, limits, deadline=time.monotonic() + 300)
        try:
            kernel.start()
            student = Student(kernel, limits=limits)
            student.install()
            info = student.run(CALL, label="probe", timeout=120, step="probe", device=device)
            user = box.describe()["user"]
            return f"works ({info.get('device_name')}; {user})"
        except GraderError as error:
            return f"fails: {str(error)[:300]}"
        finally:
            kernel.close()
            box.close()


def epochs_table(data: Path, device: str, n_train: int, course_n: int, timed: int) -> list[str]:
    import cifar_epoch

    solution = cifar_epoch.reference()
    rows = ["| trainer | s/epoch (50,000 images) | runs |", "|---|---:|---|"]
    scale = 50_000 / n_train
    grader = {}
    for precision in cifar_epoch.PRECISIONS:
        times, _ = cifar_epoch.grader_epochs(
            solution, data, device, timed, n_train, 128, precision=precision
        )
        grader[precision] = statistics.mean(times) * scale
        runs = ", ".join(f"{t:.2f}" for t in times)
        rows.append(f"| grader, {precision} | {grader[precision]:.2f} | {runs} s on {n_train} |")
    course = cifar_epoch.course_epochs(solution, data, device, 1, course_n, 128)
    course_full = statistics.mean(course) * 50_000 / course_n
    rows.append(
        f"| course DataLoader loop, fp32 | {course_full:.2f} | "
        f"{', '.join(f'{t:.2f}' for t in course)} s on {course_n} |"
    )
    best = min(grader.values())
    rows += [
        "",
        f"Speed-up of the grader's fastest setting over the course's loop: "
        f"{course_full / best:.1f}x ({60 / best:.1f} epochs a minute).",
    ]
    return rows


def whole_grade(data: Path, device: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                str(REPO / "assignments" / "cifar10_cnn" / "solution.ipynb"),
                "--device",
                device,
                "--data-dir",
                str(data),
                "--out",
                tmp,
                "--force",
                "--quiet",
            ],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        reports = list(Path(tmp).glob("*/report.json"))
        if not reports:
            return [f"grade failed (exit {done.returncode}): {done.stderr.strip()[-500:]}"]
        r = json.loads(reports[0].read_text(encoding="utf-8"))
    t = r.get("training") or {}
    return [
        f"- status {r['status']}, score {r['score']:g}/{r['max_score']:g}, wall {wall:.1f} s",
        f"- training: {t.get('status')}, {t.get('epochs')} epochs, {t.get('seconds_per_epoch')} s/epoch, "
        f"{t.get('train_seconds')} s in all, {t.get('mixed_precision')}, channels_last {t.get('channels_last')}",
        f"- test accuracy {t.get('test_accuracy')} % (bar {t.get('threshold')} %) on {t.get('dataset')}",
        f"- {t.get('device_name')}; setup notes: {t.get('setup_notes') or 'none'}; "
        f"stopped: {t.get('stopped') or 'no'}; reason: {t.get('reason') or '-'}",
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--tiny", action="store_true", help="a few hundred images: the dry run")
    p.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")))
    args = p.parse_args()
    n_train, n_test, course_n, timed = (
        (256, 128, 128, 1) if args.tiny else (50_000, 10_000, 10_000, 2)
    )

    from autograder.data.synthetic import generate

    lines = [f"## GPU check ({time.strftime('%Y-%m-%d')})", ""]
    lines.append(f"Device: {device_line(args.device)}; {', '.join(versions())}.")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "synthetic"
        started = time.perf_counter()
        generate(data, n_train=n_train, n_test=n_test, seed=0)
        lines += [
            "",
            f"Synthetic set: {n_train} + {n_test} images, made in {time.perf_counter() - started:.1f} s.",
            "",
        ]
        print("\n".join(lines), flush=True)
        sections = [
            (
                "(a) The device in the sandbox, as the sandbox's user",
                lambda: [f"- {k}: {sandbox_probe(k, args.device)}" for k in ("bwrap", "process")],
            ),
            (
                "(b) Seconds per epoch",
                lambda: epochs_table(data, args.device, n_train, course_n, timed),
            ),
            (
                "(c) The whole accuracy check: grade solution.ipynb",
                lambda: whole_grade(data, args.device),
            ),
        ]
        for title, run in sections:
            started = time.perf_counter()
            try:
                body = run()
            except Exception as error:  # noqa: BLE001 - one part failing must not hide the others
                body = [f"failed: {type(error).__name__}: {error}"]
            part = [f"### {title}", "", *body, "", f"({time.perf_counter() - started:.0f} s)", ""]
            print("\n".join(part), flush=True)
            lines += part
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
