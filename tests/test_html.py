"""The HTML reports and the class index, as a person sees them in headless Chromium.

Real notebooks graded by the real grader (the solution, the template, a hostile
submission, a file that is not a notebook), rendered to HTML and loaded from file://
URLs. The assertions are on what the page shows, never on the HTML source.
"""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import unquote

import numpy as np
import pytest

from autograder.reports.html import render_staff, render_student
from autograder.reports.index import write_index
from autograder.results import Report
from tests.browser import Browser
from tests.notebooks import (
    REPO,
    append_cells,
    replace_definition,
    solution,
    solution_path,
    template_path,
)
from tests.notebooks import variant as variant_source

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"
HOSTILE_CELL = (
    'print("<script>alert(1)</script>")\n'
    'print("</pre><h1>pwned</h1>")\n'
    'raise RuntimeError("<img src=x onerror=alert(2)>")\n'
)
HOSTILE_SOFTMAX = 'def softmax(logits):\n    raise ValueError("<b>bold</b>")\n'
HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "</pre><h1>pwned</h1>",
    "<img src=x onerror=alert(2)>",
    "<b>bold</b>",
]


def hostile_notebook():
    """The solution, with softmax raising HTML, a wrong cross_correlation2d (flipped
    kernel: real expected-vs-got grids), and a last cell that prints and raises HTML."""
    nb = solution()
    replace_definition(nb, HOSTILE_SOFTMAX)
    replace_definition(nb, variant_source("buggy", "cross_correlation2d_flipped_kernel"))
    return append_cells(nb, HOSTILE_CELL)


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def graded(browser, grade_once, tmp_path_factory):
    browser.close()  # grading needs this thread's asyncio, which Playwright holds while open
    broken = tmp_path_factory.mktemp("broken") / "broken.ipynb"
    broken.write_text("this is not a notebook\n", encoding="utf-8")
    return {
        "solution": grade_once("solution", solution_path("cnn_basics")),
        "template": grade_once("template", template_path("cnn_basics")),
        "hostile": grade_once("html-hostile", hostile_notebook()),
        "rejected": grade_once("html-rejected", broken),
    }


@pytest.fixture(scope="module")
def pages(graded, tmp_path_factory):
    """{(key, view): path of the rendered page}, rendered from each report.json."""
    out = tmp_path_factory.mktemp("html")
    paths = {}
    for key, g in graded.items():
        report = Report.from_json(g.json)
        for view, render in (("staff", render_staff), ("student", render_student)):
            path = out / f"{key}-{view}.html"
            path.write_text(render(report), encoding="utf-8")
            paths[key, view] = path
    return paths


def score_line(data: dict) -> str:
    """The score as the report states it (two decimals at most)."""
    return f"{round(data['score'], 2):g} / {round(data['max_score'], 2):g} points"


@pytest.mark.parametrize("view", ["staff", "student"])
@pytest.mark.parametrize("key", ["solution", "template", "hostile", "rejected"])
def test_page_shows_the_score_and_is_inert(browser, graded, pages, key, view):
    data = graded[key].json
    opened = browser.open(pages[key, view])
    card = opened.page.get_by_label("score").inner_text()
    assert score_line(data) in " ".join(card.split())
    assert data["status"] in card
    text = opened.text()
    assert ("Staff report" if view == "staff" else "Student report") in text
    opened.assert_inert()
    for q in data["questions"]:
        assert q["id"] in text
    assert ("For staff" in text) == (view == "staff" and bool(data["flags"]))


def test_template_report_shows_feedback_and_cell_errors(browser, graded, pages):
    data = graded["template"].json
    opened = browser.open(pages["template", "staff"])
    opened.open_details()  # a reader who unfolds everything sees every failure
    feedback = opened.page.locator("pre.feedback")
    failed = [c for q in data["questions"] for c in q["checks"] if c["status"] != "passed"]
    assert feedback.count() == len([c for c in failed if c["feedback"]]) > 0
    assert "NotImplementedError" in feedback.first.inner_text()
    first = failed[0]
    block = opened.page.locator(".failure", has_text=first["description"]).first
    assert first["feedback"].splitlines()[0] in block.inner_text()
    inputs = first.get("details", {}).get("inputs") or {}
    assert block.locator("table.grid").count() >= len(inputs) > 0
    errors = data["notebook"]["errors"]
    assert errors
    text = opened.text()
    for err in errors:
        assert f"Cell {err['cell']}" in text and err["error"] in text
    assert data["sandbox"]["kind"] in text
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-template.png"
    opened.page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_expected_vs_got_grids_mark_the_wrong_cells(browser, graded, pages):
    check = graded["hostile"].check("cross_correlation2d", "matches_course_example")
    assert check["status"] == "failed"
    wrong = int(np.sum(check["details"]["wrong"]))
    opened = browser.open(pages["hostile", "student"])
    opened.open_details()
    block = opened.page.locator(".failure", has_text=check["description"]).first
    expected = block.locator("figure", has_text="expected")
    caption = opened.page.locator("figcaption", has_text=re.compile("^got$"))
    got = block.locator("figure", has=caption)
    assert expected.locator("td.bad").count() == wrong > 0
    assert got.locator("td.bad").count() == wrong
    cells = expected.locator("td").all_inner_texts()
    assert cells == [f"{v:.5g}" for v in np.ravel(check["details"]["expected"]["values"])]


@pytest.mark.parametrize("view", ["staff", "student"])
def test_hostile_text_is_shown_as_text(browser, graded, pages, view):
    opened = browser.open(pages["hostile", view])
    opened.page.wait_for_timeout(200)  # room for any onerror handler to fire
    opened.open_details()
    opened.page.wait_for_timeout(200)
    text = opened.text()
    for hostile in HOSTILE_TEXTS:
        assert hostile in text
    assert opened.page.locator("h1", has_text="pwned").count() == 0
    assert opened.page.locator("b", has_text="bold").count() == 0
    assert opened.page.locator("img[src='x']").count() == 0
    sources = opened.page.eval_on_selector_all("img", "imgs => imgs.map(i => i.src)")
    assert all(src.startswith("data:image/png") for src in sources)
    opened.assert_inert()
    assert graded["hostile"].json["score"] < graded["hostile"].json["max_score"]


def test_student_view_withholds_hidden_checks(browser, graded, pages):
    data = graded["template"].json
    checks = [c for q in data["questions"] for c in q["checks"]]
    visible_text = json.dumps(
        [[c["description"], c["feedback"], c["id"]] for c in checks if c["visibility"] == "visible"]
        + [data["notebook"]]
    )
    secrets = [
        s
        for c in checks
        if c["visibility"] == "hidden"
        for s in (c["description"], c["feedback"].splitlines()[0] if c["feedback"] else "")
        if s and json.dumps(s)[1:-1] not in visible_text
    ]
    assert secrets, "the template's report has no hidden check to withhold"
    student_page, staff_page = (browser.open(pages["template", v]) for v in ("student", "staff"))
    for opened in (student_page, staff_page):
        opened.open_details()
    student, staff = student_page.text(), staff_page.text()
    for secret in secrets:
        assert secret not in student
        assert secret in staff
    for q in data["questions"]:
        hidden = [c["status"] for c in q["checks"] if c["visibility"] == "hidden"]
        if hidden:
            plural = "s" if len(hidden) > 1 else ""
            tally = ", ".join(f"{hidden.count(s)} {s}" for s in dict.fromkeys(hidden))
            assert f"{len(hidden)} hidden check{plural}: {tally} (details hidden)" in student
    with_hidden = [
        q for q in data["questions"] if any(c["visibility"] == "hidden" for c in q["checks"])
    ]
    assert student.count("details hidden") >= len(with_hidden) > 0


@pytest.mark.parametrize("view", ["staff", "student"])
def test_rejected_report_says_why_and_what_to_do(browser, graded, pages, view):
    data = graded["rejected"].json
    assert data["status"] == "rejected"
    opened = browser.open(pages["rejected", view])
    alert = opened.page.get_by_role("alert").inner_text()
    assert data["error"] in alert
    assert "submit it again" in alert


def test_phone_width_has_no_sideways_page_scroll(browser, pages):
    opened = browser.open(pages["hostile", "staff"], width=390, height=844)
    width = opened.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_class_index(browser, graded, tmp_path):
    out = tmp_path / "out"
    folders = []
    for key, g in graded.items():
        folder = out / key
        folder.mkdir(parents=True)
        shutil.copy(g.folder / "report.json", folder / "report.json")
        (folder / "report.html").write_text(render_staff(g.report), encoding="utf-8")
        folders.append(folder)
    (out / "no-report").mkdir()  # a folder without report.json is left out
    index = write_index(out, [*folders, out / "no-report"])
    assert index == out / "index.html"
    opened = browser.open(index)
    text = opened.text()
    assert f"{len(graded)} submissions" in text
    assert graded["rejected"].json["error"] in text
    opened.assert_inert()
    hrefs = opened.page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    views = {h for h in hrefs if h.startswith("index")}  # the student table's sorted views
    assert views == {"index-by-score.html", "index-by-status.html"}
    hrefs = [h for h in hrefs if h not in views]
    assert hrefs and len(set(hrefs)) == len(graded)
    for href in hrefs:
        assert (out / unquote(href)).resolve().is_file(), href
    link = opened.page.locator("a", has_text="hostile.ipynb").first
    link.click()
    opened.page.wait_for_load_state()
    assert score_line(graded["hostile"].json) in " ".join(opened.page.inner_text("body").split())


# -- the cifar10_cnn training section -------------------------------------------------------


def test_training_figures(browser, cifar_solution, tmp_path_factory):
    g = cifar_solution
    t = g.json["training"]
    assert t and t.get("status") in ("passed", "failed"), t
    report = Report.from_json(g.json)
    out = tmp_path_factory.mktemp("training")
    views = {}
    for view, render in (("staff", render_staff), ("student", render_student)):
        (out / f"{view}.html").write_text(render(report), encoding="utf-8")
        views[view] = browser.open(out / f"{view}.html")
    for view, opened in views.items():
        page = opened.page
        opened.assert_inert()
        assert opened.axe() == [], view  # the charts' colours and labels too
        for label in [
            "Training loss per epoch",
            "Test accuracy per epoch",
            "Confusion matrix (test images)",
            "Accuracy per class",
        ]:
            assert page.locator(f"svg[aria-label='{label}']").count() == 1, label
        matrix = page.locator("svg[aria-label='Confusion matrix (test images)'] text")
        labels = matrix.all_text_contents()
        assert all(name in labels for name in t["class_names"])
        assert sum(int(x) for x in labels if x.isdigit()) == sum(map(sum, t["confusion_matrix"]))
        assert (
            f"bar {t['threshold']:g} %"
            in page.locator("svg[aria-label='Test accuracy per epoch']").text_content()
        )
        filters = np.asarray(t["first_layer_filters"])
        images = page.locator(".filters img")
        assert images.count() == filters.shape[0]
        widths = page.eval_on_selector_all(".filters img", "imgs => imgs.map(i => i.naturalWidth)")
        assert set(widths) == {filters.shape[3]}
        flip = page.locator("svg[aria-label^='Flip consistency']").count()
        assert flip == (1 if view == "staff" else 0)
        assert f"{t['test_accuracy']:.2f} %" in opened.text()
