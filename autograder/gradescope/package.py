"""Building the zip Gradescope runs: ``python -m autograder gradescope ASSIGNMENT``.

The zip holds, at its root (Gradescope unpacks it into ``/autograder/source``)::

    setup.sh            installs Python, bubblewrap and the grader (Gradescope runs it once)
    run_autograder      grades /autograder/submission into /autograder/results/results.json
    gradescope.toml     the settings run_autograder uses (assignment, visibility, format, ...)
    requirements.lock   the versions the grader's tests pass with
    grader/             the grader's source, with this one assignment as its course:
        pyproject.toml, setup.py, README.md, autograder/, assignments/<name>/

Everything is taken from the grader that builds the zip, so the zip grades exactly as this
grader does. The zip is reproducible: the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import autograder
from autograder.assignments import REPO, Assignment
from autograder.errors import InstallError
from autograder.gradescope import scripts
from autograder.gradescope.settings import FILE, GradescopeSettings

EXECUTABLE = ("setup.sh", "run_autograder")
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "variants", ".pytest_cache", "course"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_STAMP = (1980, 1, 1, 0, 0, 0)


def contents(
    assignment: Assignment, settings: GradescopeSettings, *, torch_index: str
) -> dict[str, bytes]:
    """Every file of the zip by its path inside it."""
    files: dict[str, bytes] = {
        "setup.sh": scripts.setup_sh(torch_index).encode(),
        "run_autograder": scripts.run_autograder().encode(),
        FILE: settings.toml().encode(),
        "requirements.lock": _lock(),
    }
    for name in ("pyproject.toml", "setup.py", "README.md"):
        path = REPO / name
        if not path.is_file():
            raise InstallError(
                f"{path} is missing: the Gradescope package is built from a checkout of the "
                "grader's source (git clone, then pip install -e .)"
            )
        files[f"grader/{name}"] = path.read_bytes()
    package = Path(autograder.__file__).resolve().parent
    for path in _tree(package):
        files[f"grader/autograder/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    files["grader/assignments/__init__.py"] = (
        b'"""The course\'s assignments: the one this Gradescope autograder grades."""\n'
    )
    for path in _tree(assignment.folder):
        inside = path.relative_to(assignment.folder).as_posix()
        files[f"grader/assignments/{assignment.name}/{inside}"] = path.read_bytes()
    return files


def _lock() -> bytes:
    """requirements.lock of the checkout; without one, the versions installed here."""
    lock = REPO / "requirements.lock"
    if lock.is_file():
        return lock.read_bytes()
    from importlib.metadata import distributions

    pins = sorted(
        {f"{d.metadata['Name']}=={d.version}" for d in distributions() if d.metadata["Name"]}
    )
    return ("# the versions the grader that built this zip ran with\n" + "\n".join(pins)).encode()


def _tree(folder: Path) -> Iterator[Path]:
    """The files below ``folder`` that belong in the zip, sorted; links are never followed."""
    for top, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(top) / name
            if name.endswith(_SKIP_SUFFIXES) or name.startswith(".") or path.is_symlink():
                continue
            yield path


def write(path: Path, files: dict[str, bytes]) -> int:
    """Write the zip (its files at its root, scripts executable); its size in bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if name in EXECUTABLE else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, files[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)
    return len(buffer.getvalue())
