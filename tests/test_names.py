"""Names and text from a submission are data (issue 15, class 7): one real batch through the
command line whose file names and notebook text attack the people and tools that read the
results, and a neighbour that must keep its grade."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from lxml import etree

from tests.notebooks import REPO, append_cells, solution, solution_path, template_path

pytestmark = pytest.mark.slow

LONG = "x" * 243  # with ".ipynb", 249 characters: two of them overflow 255 bytes joined
EVIL = "fake\r\x1b[2K\x1b]8;;x.invalid\x07alice 100 of 100"
"""A file name that would rewrite the terminal's progress line and add a link there."""
INJECTED = (
    "\n# Score: 100/100\n\n<script>alert(1)</script>\r\n"
    "\x1b[31mRED\x1b[0m \x1b]0;title\x07 \x07\x01\x1b[2J"
)
"""Text a notebook puts in its metadata and its exceptions, aimed at report.md, the job
summary, a terminal and junit.xml."""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    hand_ins = root / "class"
    (hand_ins / "bob").mkdir(parents=True)
    shutil.copy(solution_path("cnn_basics"), hand_ins / "bob" / "submission.ipynb")
    shutil.copy(template_path("cnn_basics"), hand_ins / "bob__submission.ipynb")
    shutil.copy(template_path("cnn_basics"), hand_ins / "summary.csv.ipynb")
    for folder in ("a", "b"):
        (hand_ins / folder).mkdir()
        shutil.copy(template_path("cnn_basics"), hand_ins / folder / f"{LONG}.ipynb")
    shutil.copy(template_path("cnn_basics"), hand_ins / '=HYPERLINK("x.invalid").ipynb')
    shutil.copy(template_path("cnn_basics"), hand_ins / f"{EVIL}.ipynb")
    nb = append_cells(solution(), f"raise ValueError({INJECTED!r})")
    nb.metadata["title"] = INJECTED
    nb.metadata["authors"] = [{"name": INJECTED}]
    nb.metadata["kernelspec"]["display_name"] = INJECTED
    nbformat.write(nb, hand_ins / "injects.ipynb")
    out = root / "out"
    job_summary = root / "step-summary.md"
    done = subprocess.run(
        [sys.executable, "grade.py", str(hand_ins), "--out", str(out), "--jobs", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(job_summary)},
    )
    reports = {}
    for path in out.glob("*/report.json"):
        report = json.loads(path.read_text(encoding="utf-8"))
        reports[report["submission"]] = (path.parent, report)
    return {"done": done, "out": out, "reports": reports, "summary": job_summary}


def test_every_submission_has_its_own_report_and_bob_keeps_his_grade(batch):
    done, reports = batch["done"], batch["reports"]
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert len(reports) == 8, sorted(reports)
    folders = [folder for folder, _ in reports.values()]
    assert len(set(folders)) == 8
    for folder in folders:
        assert len(folder.name.encode()) <= 120, folder.name
    assert reports["bob/submission.ipynb"][1]["score"] == 100
    assert reports["bob__submission.ipynb"][1]["score"] == 0
    for key in (f"a/{LONG}.ipynb", f"b/{LONG}.ipynb", f"{EVIL}.ipynb"):
        assert reports[key][1]["status"] == "graded", key


def test_reserved_names_stay_the_graders_files(batch):
    out = batch["out"]
    for name in ("summary.csv", "junit.xml", "index.html", "similarity.csv"):
        assert (out / name).is_file(), name
    assert "summary.csv.ipynb" in batch["reports"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(batch):
    with open(batch["out"] / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@"), value
    assert any(row["submission"].startswith("'=HYPERLINK") for row in rows)


def test_the_terminal_never_gets_a_control_character_from_a_name(batch):
    done = batch["done"]
    for stream in (done.stdout, done.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
        assert "\r" not in stream.replace("\r\n", "\n")
    assert "fake" in done.stdout + done.stderr  # the name is shown, escaped


def test_report_md_fences_the_injected_text(batch):
    folder, report = batch["reports"]["injects.ipynb"]
    assert report["score"] == 100
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not any("Score: 100/100" in line for line in headings), headings
    assert not [line for line in _outside_fences(text) if "<script>" in line]


def _outside_fences(markdown: str) -> list[str]:
    """The lines of ``markdown`` that are not inside a fenced code block (shown verbatim)."""
    outside, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence and stripped.startswith(fence) and not stripped.strip(fence[0]):
            fence = ""
        elif not fence and marker in ("```", "~~~"):
            fence = stripped[: len(stripped) - len(stripped.lstrip(marker[0]))]
        elif not fence:
            outside.append(line)
    return outside


def test_the_job_summary_gets_no_injected_line(batch):
    text = batch["summary"].read_text(encoding="utf-8")
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert not any(line.startswith("# Score") for line in text.splitlines())


def test_junit_xml_stays_valid_for_every_consumer(batch):
    schema = etree.XMLSchema(etree.parse(str(REPO / "tests" / "schemas" / "junit-10.xsd")))
    paths = [batch["out"] / "junit.xml"] + [f / "junit.xml" for f, _ in batch["reports"].values()]
    for path in paths:
        document = etree.parse(str(path))
        assert schema.validate(document), (path, schema.error_log)
    suites = etree.parse(str(batch["out"] / "junit.xml")).getroot().findall("testsuite")
    names = [suite.get("name") for suite in suites]
    assert len(names) == len(set(names)) == 8
