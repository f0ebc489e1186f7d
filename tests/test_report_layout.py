"""Reports a teaching assistant can read fifty of a night (issue 13), as a person sees them
in headless Chromium, and as axe-core (the accessibility engine) reads them.

One small class goes through the real command line once for the whole module: alice (a
partly correct submission), the untouched template, a hostile notebook, a copy of alice
(so that the similarity report has a pair to show) and a file that is not a notebook. Every
HTML page the grader wrote for it is loaded from its file:// URL; assertions are on what the
page shows within the first 900 px, on its laid-out height, and on axe's verdict.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.reports.html import render_staff, render_student
from autograder.results import Report
from tests.browser import Browser
from tests.notebooks import REPO, append_cells, replace_definition, solution, template_path

pytestmark = pytest.mark.slow

SCREEN = 900
"""The first screen: the viewport's height in CSS pixels (1280 x 900)."""
ARTIFACTS = REPO / "test-artifacts"
HOSTILE_CELL = (
    'print("<script>alert(1)</script>")\nraise RuntimeError("<img src=x onerror=alert(2)>")\n'
)
HOSTILE_SOFTMAX = 'def softmax(logits):\n    raise ValueError("<b>bold</b>")\n'


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """The class, graded by ``grade.py FOLDER --out OUT``; OUT."""
    root = tmp_path_factory.mktemp("layout")
    folder = root / "class"
    folder.mkdir()
    shutil.copy(REPO / "examples" / "alice.ipynb", folder / "alice.ipynb")
    shutil.copy(REPO / "examples" / "alice.ipynb", folder / "alice_copy.ipynb")
    shutil.copy(template_path("cnn_basics"), folder / "untouched.ipynb")
    hostile = append_cells(replace_definition(solution(), HOSTILE_SOFTMAX), HOSTILE_CELL)
    nbformat.write(hostile, folder / "hostile.ipynb")
    (folder / "broken.ipynb").write_text("this is not a notebook\n", encoding="utf-8")
    out = root / "out"
    done = subprocess.run(
        [sys.executable, "grade.py", str(folder), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 3, done.stderr[-3000:]  # broken.ipynb is rejected
    return out


@pytest.fixture(scope="module")
def browser(klass):
    chromium = Browser()
    yield chromium
    chromium.close()


def report(klass, stem):
    return json.loads((klass / stem / "report.json").read_text(encoding="utf-8"))


def visible_on_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return locator.is_visible() and box is not None and box["y"] + box["height"] <= SCREEN


PAGES = [(stem, page) for stem in ("alice", "untouched") for page in ("report", "report-student")]


@pytest.mark.parametrize(("stem", "page"), PAGES)
def test_the_first_screen_shows_the_score_every_lost_question_and_the_failed_cells(
    browser, klass, stem, page
):
    data = report(klass, stem)
    opened = browser.open(klass / stem / f"{page}.html", width=1280, height=SCREEN)
    score = opened.page.get_by_label("score")
    assert visible_on_first_screen(score)
    assert f"{data['score']:g} / {data['max_score']:g} points" in " ".join(
        score.inner_text().split()
    )
    lost = [q for q in data["questions"] if q["score"] < q["max_score"]]
    assert lost
    staff = page == "report"
    for q in lost:
        row = opened.page.locator("table.lost tr", has_text=q["id"]).first
        assert visible_on_first_screen(row), q["id"]
        text = " ".join(row.inner_text().split())
        assert f"{q['score']:g} / {q['max_score']:g}" in text
        failed = [c for c in q["checks"] if c["status"] != "passed"]
        shown = [c for c in failed if staff or c["visibility"] == "visible"]
        why = q.get("hint") or (shown[0]["id"] if shown else "hidden check")
        assert why[:100] in text, (q["id"], text)
    cells = opened.page.locator("section.cells")
    assert visible_on_first_screen(cells)
    for err in data["notebook"]["errors"]:
        assert str(err["cell"]) in cells.inner_text()
    opened.assert_inert()


def test_flags_are_on_the_staff_first_screen_only(browser, klass, tmp_path):
    data = Report.from_json(report(klass, "alice"))
    data.flags.append("the notebook replaced the grader's call helper inside the kernel")
    for view, render in (("staff", render_staff), ("student", render_student)):
        path = tmp_path / f"{view}.html"
        path.write_text(render(data), encoding="utf-8")
        flag = browser.open(path).page.locator(".alert.flag", has_text="call helper")
        assert (flag.count() == 1 and visible_on_first_screen(flag)) == (view == "staff")


def test_alice_and_the_template_are_short(browser, klass):
    heights = {}
    for stem in ("alice", "untouched"):
        for page in ("report", "report-student"):
            opened = browser.open(klass / stem / f"{page}.html")
            heights[f"{stem}/{page}.html as loaded"] = opened.height()
            opened.close_details()
            heights[f"{stem}/{page}.html, details closed"] = opened.height()
            opened.open_details()
            heights[f"{stem}/{page}.html, every details open"] = opened.height()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-heights.json").write_text(json.dumps(heights, indent=1), encoding="utf-8")
    for key, height in heights.items():
        if "details closed" in key:
            assert height < 5000, heights  # was 15,280 px for alice and 46,808 px for the template
        if "as loaded" in key:
            assert height < 6000, heights


def test_passed_checks_fold_and_failures_show_expected_vs_got_once(browser, klass):
    data = report(klass, "alice")
    opened = browser.open(klass / "alice" / "report.html")
    page = opened.page
    q = next(q for q in data["questions"] if q["id"] == "cross_correlation2d")
    first = next(c for c in q["checks"] if c["status"] != "passed")
    failure = page.locator(f"details#{q['id']}-{first['id']}")
    assert failure.get_attribute("open") is not None  # the first comparison is open
    assert failure.locator("figcaption", has_text="expected").count() == 1
    assert failure.locator("figure", has=page.locator("figcaption b", has_text="got")).count() == 1
    feedback = failure.locator("pre.feedback").inner_text()
    assert "Expected:" not in feedback and "Got:" not in feedback
    assert first["feedback"].splitlines()[0] in feedback
    bad = sum(map(sum, first["details"]["wrong"]))
    assert failure.locator("td.bad").count() == 2 * bad > 0  # in expected and in got
    # the question's passed checks are folded, and unfold natively
    passed = next(c for c in q["checks"] if c["status"] == "passed")
    fold = page.locator(f"#q-{q['id']} details.fold")
    row = fold.locator("tr", has_text=passed["id"])
    assert fold.get_attribute("open") is None and not row.is_visible()
    fold.locator("summary").click()
    assert row.is_visible()
    # a question with full marks is one folded line
    full = next(q for q in data["questions"] if q["score"] == q["max_score"])
    line = page.locator(f"details#q-{full['id']}")
    assert line.get_attribute("open") is None
    assert line.locator("summary").inner_text().count("\n") == 0
    assert not line.locator("table").is_visible()
    opened.assert_inert()


def test_the_print_stylesheet_unfolds_failures_and_drops_what_passed(browser, klass):
    opened = browser.open(klass / "alice" / "report.html")
    page = opened.page
    shut = page.locator("details.failure:not([open]) pre.feedback").first
    fold = page.locator("details.fold").first
    assert not shut.is_visible() and fold.is_visible()
    page.emulate_media(media="print")
    assert shut.is_visible() and not fold.is_visible()
    pdf = page.pdf()
    assert pdf[:5] == b"%PDF-"


def test_the_markdown_report_puts_the_summary_first(klass):
    data = report(klass, "alice")
    md = (klass / "alice" / "report.md").read_text(encoding="utf-8")
    head, _, rest = md.partition("## Questions")
    assert rest and "## What to fix" in rest and "## What to fix" not in head
    assert head.index("**Score:") < head.index("**Cells that failed**") < head.index("**What lost")
    for q in data["questions"]:
        listed = f"- {q['id']} {q['score']:g} / {q['max_score']:g}: "
        assert (listed in head) == (q["score"] < q["max_score"]), q["id"]
    assert "mlp_loss_and_gradients calls your softmax_cross_entropy_backward" in head


def test_the_class_overview_opens_with_the_students(browser, klass):
    opened = browser.open(klass / "index.html")
    page = opened.page
    headings = page.locator("h2").all_inner_texts()
    assert headings[:3] == ["Students", "Questions", "Scores"]
    students = page.locator("table.students tbody tr")
    names = [row.split("\t")[0].strip() for row in students.all_inner_texts()]
    assert names == sorted(names) and len(names) == 5
    assert visible_on_first_screen(students.first)
    untouched = page.locator("table.students tr", has_text="untouched.ipynb")
    assert "untouched template" in untouched.inner_text()
    alice = page.locator("table.students tr", has_text="alice.ipynb").first
    assert "untouched template" not in alice.inner_text()
    assert "rejected" in page.locator("table.students tr", has_text="broken.ipynb").inner_text()
    # sorted views without a script: the headings link to the same page sorted otherwise
    page.locator("table.students th a", has_text="Score").click()
    page.wait_for_load_state()
    assert page.url.endswith("index-by-score.html")
    rows = page.locator("table.students tbody tr").all_inner_texts()
    scores = [float(r.split("\t")[2].split("/")[0]) for r in rows]
    assert scores == sorted(scores)
    page.locator("table.students th a", has_text="Status").click()
    page.wait_for_load_state()
    first = page.locator("table.students tbody tr").first.inner_text()
    assert "broken.ipynb" in first and "rejected" in first
    opened.assert_inert()


def test_no_page_the_grader_writes_has_a_serious_accessibility_violation(browser, klass):
    pages = sorted(klass.rglob("*.html"))
    names = {p.relative_to(klass).as_posix() for p in pages}
    assert {"alice/report.html", "alice/report-student.html", "index.html"} <= names
    assert "similarity/index.html" in names and any(n.startswith("similarity/pair-") for n in names)
    found = {}
    for path in pages:
        opened = browser.open(path)
        as_loaded = opened.axe()
        opened.open_details()
        unfolded = opened.axe()
        if as_loaded or unfolded:
            found[path.relative_to(klass).as_posix()] = sorted(set(as_loaded + unfolded))
        opened.page.close()
    assert found == {}


def test_axe_finds_what_it_should(browser, tmp_path):
    """The check can fail: a page with white text on the old green badge (3.3:1) and an empty
    table heading is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><main>"
        "<h1>t</h1><span style='color:#fff;background:#16a34a;font-size:12px'>passed</span>"
        "<table><tr><th></th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "</main></body></html>",
        encoding="utf-8",
    )
    found = browser.open(page).axe(("minor", "moderate", "serious", "critical"))
    assert any(v.startswith("color-contrast (serious)") for v in found), found
    assert any(v.startswith("empty-table-header") for v in found), found
