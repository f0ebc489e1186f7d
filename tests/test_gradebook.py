"""A class's gradebook exports, through the real command line on real notebooks: summary.csv
with a stable student key and a roster's ids and names, the Canvas import, junit.xml valid
against Jenkins' JUnit schema whatever a student's exception prints, and regrading one
student or one question of a graded class."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from lxml import etree

from autograder.reports import summary
from tests.notebooks import REPO, replace_definition, solution, solution_path, template_path

pytestmark = pytest.mark.slow

CONTROL = "\x1b[31m red \x07 bell \x01 soh \x0b vt"
ROSTER = 'key,id,name\nalice,1001,Alice Liddell\nbob,1002,=HYPERLINK("http://x")\ncarol,1003,Carol\ndave,1004,Dave\n'


def _cli(*args: str, module: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    head = [sys.executable, "-m", "autograder"] if module else [sys.executable, "grade.py"]
    return subprocess.run(
        [*head, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three students who all handed in hw.ipynb, one of them with a function whose
    exception prints control characters; graded with a roster."""
    root = tmp_path_factory.mktemp("gradebook")
    folder = root / "class"
    for who in ("alice", "bob", "carol"):
        (folder / who).mkdir(parents=True)
    shutil.copy(solution_path(), folder / "alice" / "hw.ipynb")
    shutil.copy(template_path(), folder / "bob" / "hw.ipynb")
    raising = f"def softmax(logits):\n    raise ValueError({CONTROL!r})\n"
    nbformat.write(replace_definition(solution(), raising), folder / "carol" / "hw.ipynb")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = root / "out"
    done = _cli(str(folder), "--out", str(out), "--jobs", "2", "--roster", str(root / "roster.csv"))
    assert done.returncode == 0, done.stderr
    return root, folder, out


def test_summary_has_the_student_key_roster_and_question_columns(graded):
    _, _, out = graded
    header, *rows = _rows(out / "summary.csv")
    assert header[:6] == ["student", "submission", "assignment", "status", "student_id", "name"]
    assert header[-4:] == ["score", "max_score", "sha256", "report"] and "softmax" in header
    by = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by["alice"]["student_id"] == "1001" and by["alice"]["name"] == "Alice Liddell"
    assert by["alice"]["submission"] == "alice/hw.ipynb" and by["alice"]["score"] == "100"
    assert by["bob"]["name"] == '\'=HYPERLINK("http://x")'  # a formula, neutralized
    assert by["carol"]["softmax"] == "0" and by["carol"]["cross_entropy"] != "0"
    assert by["dave"]["status"] == "missing" and by["dave"]["score"] == ""


def test_canvas_import_has_every_roster_student(graded):
    _, _, out = graded
    rows = _rows(out / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "cnn_basics"]
    assert rows[1][0] == "Points Possible" and rows[1][-1] == "100"
    by = {r[3]: r for r in rows[2:]}
    assert by["alice"][2] == "1001" and by["alice"][-1] == "100"
    assert by["bob"][0].startswith("'=") and by["bob"][-1] == "0"
    assert by["dave"][-1] == ""  # handed nothing in: left ungraded


def test_junit_is_valid_and_names_every_student_apart(graded):
    _, _, out = graded
    schema = etree.XMLSchema(etree.parse(str(REPO / "tests" / "schemas" / "junit-10.xsd")))
    for path in [out / "junit.xml", *out.glob("*/junit.xml")]:
        doc = etree.parse(str(path))  # parses: no control character survived
        assert schema.validate(doc), (path, schema.error_log)
    text = (out / "junit.xml").read_text(encoding="utf-8")
    assert not any(c in text for c in "\x1b\x07\x01\x0b")
    assert "red" in text and "bell" in text  # the readable rest of the message is kept
    suites = [s.get("name") for s in etree.parse(str(out / "junit.xml")).getroot()]
    assert len(suites) == 3 and len(set(suites)) == 3
    classnames = {
        c.get("classname").split(".")[0]
        for c in etree.parse(str(out / "junit.xml")).iter("testcase")
    }
    assert len(classnames) == 3


def test_a_bad_roster_is_one_sentence_before_anything_is_graded(graded, tmp_path):
    _, folder, _ = graded
    bad = tmp_path / "roster.csv"
    bad.write_text("first,last\nA,B\n", encoding="utf-8")
    done = _cli(str(folder), "--out", str(tmp_path / "out"), "--roster", str(bad))
    assert done.returncode == 2 and "no column that says who a student is" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_regrading_one_question_keeps_the_others(graded):
    root, folder, out = graded
    before = json.loads((out / "carol__hw" / "report.json").read_text())
    alice = (out / "alice__hw" / "report.json").read_bytes()
    done = _cli(
        "regrade",
        str(folder),
        "--out",
        str(out),
        "--only-student",
        "carol",
        "--only-question",
        "softmax",
        "--roster",
        str(root / "roster.csv"),
        module=True,
    )
    assert done.returncode == 0, done.stderr
    after = json.loads((out / "carol__hw" / "report.json").read_text())
    assert after["score"] == before["score"] and after["graded_at"] >= before["graded_at"]
    assert "question(s) softmax regraded" in after["notes"][-1]
    old = {q["id"]: q for q in before["questions"]}
    assert [q for q in after["questions"] if q["id"] != "softmax"] == [
        q for q in before["questions"] if q["id"] != "softmax"
    ]
    assert [c["id"] for c in after["questions"][6]["checks"]] == [
        c["id"] for c in old["softmax"]["checks"]
    ]
    assert (out / "alice__hw" / "report.json").read_bytes() == alice  # nobody else regraded
    assert len(_rows(out / "summary.csv")) == 5 and (out / "canvas.csv").is_file()


def test_regrading_one_student_and_refusals(graded):
    root, folder, out = graded
    alice = (out / "alice__hw" / "report.json").read_bytes()
    bob = json.loads((out / "bob__hw" / "report.json").read_text())
    done = _cli("regrade", str(folder), "--out", str(out), "--only-student", "bob", module=True)
    assert done.returncode == 0, done.stderr
    again = json.loads((out / "bob__hw" / "report.json").read_text())
    assert again["score"] == 0.0 and again["graded_at"] >= bob["graded_at"]
    assert (out / "alice__hw" / "report.json").read_bytes() == alice
    for args, words in [
        (["--only-student", "zed"], "no submission of zed"),
        (["--only-question", "nope"], "has no question nope"),
        ([], "say what to regrade"),
    ]:
        refused = _cli("regrade", str(folder), "--out", str(out), *args, module=True)
        assert (
            refused.returncode == 2
            and words in refused.stderr
            and "Traceback" not in refused.stderr
        )


def test_the_gradebook_command_names_the_canvas_column(graded):
    root, _, out = graded
    done = _cli(
        "gradebook",
        str(out),
        "--roster",
        str(root / "roster.csv"),
        "--canvas-column",
        "HW 1 (4711)",
        module=True,
    )
    assert done.returncode == 0, done.stderr
    assert _rows(out / "canvas.csv")[0][-1] == "HW 1 (4711)"


def test_the_job_summary_median_is_right_for_even_counts():
    reports = [
        {
            "submission": f"s{i}.ipynb",
            "status": "graded",
            "score": s,
            "max_score": 100,
            "questions": [],
        }
        for i, s in enumerate([10, 20, 30, 40])
    ]
    text = summary.github_summary(reports)
    assert "mean score 25.0, median 25." in text
    assert "median 30" not in text and "median 20" not in text
