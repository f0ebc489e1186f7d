"""Shared fixtures: real notebooks graded once per session, in real sandboxed kernels."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from autograder.grading import Options, grade
from autograder.reports import report_dir, write_all
from autograder.results import Report


class Graded:
    """A graded notebook: the report object, its JSON and its files."""

    def __init__(self, report: Report, folder: Path) -> None:
        self.report = report
        self.folder = folder
        self.json = json.loads((folder / "report.json").read_text(encoding="utf-8"))

    def question(self, qid: str) -> dict:
        return next(q for q in self.json["questions"] if q["id"] == qid)

    def scores(self) -> dict[str, float]:
        return {q["id"]: q["score"] for q in self.json["questions"]}

    def check(self, qid: str, cid: str) -> dict:
        return next(c for c in self.question(qid)["checks"] if c["id"] == cid)


@pytest.fixture(scope="session", autouse=True)
def truth_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The checks' truths are stored for this session only, not in the user's cache folder
    (grades in processes the tests start read them too)."""
    os.environ["AUTOGRADER_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def grade_once(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Graded]:
    """grade_once(key, notebook_or_path, **options): grade once per test session per key."""
    cache: dict[str, Graded] = {}
    root = tmp_path_factory.mktemp("graded")

    def run(key: str, notebook: NotebookNode | Path, **options: object) -> Graded:
        if key not in cache:
            folder = root / key
            folder.mkdir()
            if isinstance(notebook, Path):
                path = notebook
            else:
                path = folder / f"{key}.ipynb"
                nbformat.write(notebook, path)
            report = grade(path, Options(**options))
            out = write_all(report, report_dir(folder / "out", path))
            cache[key] = Graded(report, out)
        return cache[key]

    return run


@pytest.fixture(scope="session")
def synthetic_cifar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's synthetic CIFAR-format set, the size the CPU accuracy check uses."""
    from autograder.assignments import find
    from autograder.data.synthetic import generate

    cpu = find("cifar10_cnn").config.components["training"].cpu
    root = tmp_path_factory.mktemp("cifar")
    generate(root, n_train=cpu.n_train, n_test=cpu.n_test, seed=0)
    return root


@pytest.fixture(scope="session")
def cifar_solution(grade_once, synthetic_cifar) -> Graded:
    """The reference solution of cifar10_cnn, graded with the CPU accuracy check."""
    from tests.notebooks import solution_path

    return grade_once(
        "cifar_solution", solution_path("cifar10_cnn"), device="cpu", data_dir=synthetic_cifar
    )
