"""report.html: one self-contained page per submission, for staff or for the student.

The page needs nothing but itself: inline CSS, inline SVG plots, data-URI images, no
JavaScript, and a Content-Security-Policy that forbids scripts and network access. Every
text that comes from a report is escaped: a submission's output and messages are hostile.

It reads top down, for a person with fifty of them to read: the first screen holds the
score, the failed cells (grouped by message), every question that lost points with why in
one line, and the flags; then each such question with its failed checks (the first
comparison open, expected vs got shown once, as grids) and its passed checks folded in a
native ``<details>``; then the questions with full marks, one folded line each; then the
notebook's failed cells and the run. No script opens or closes anything.

``render_staff`` shows everything; ``render_student`` shows a hidden check's status and
points only, and never shows staff flags or the mirrored-image (flip) figures.
"""

from __future__ import annotations

from autograder.reports.digest import lost_questions, one_line, reason
from autograder.reports.grids import details, trimmed
from autograder.reports.page import TODO, WORDS, anchor, badge, bar, e, num, page, table
from autograder.reports.run_html import failed_cells, notebook, run
from autograder.results import CheckResult, QuestionResult, Report


def render_staff(report: Report) -> str:
    """The whole report for course staff: hidden checks, flags and all."""
    return _render(report, staff=True)


def render_student(report: Report) -> str:
    """The report a student may see: hidden checks as status and points only, no flags."""
    return _render(report, staff=False)


def _render(report: Report, *, staff: bool) -> str:
    view = "Staff report" if staff else "Student report"
    title = f"{report.assignment or 'unknown assignment'}: {report.submission}"
    body = [
        f"<header><h1>{e(title)}</h1><p class='sub'>{view} · graded "
        f"{e(report.graded_at)}</p></header>",
        _problem(report),
        _summary(report),
        failed_cells(report.notebook),
        _lost(report, staff),
    ]
    if report.notes:
        items = "".join(f"<li>{e(n)}</li>" for n in report.notes)
        body.append(
            f"<section class='alert note'><p class='lead'>Notes</p><ul>{items}</ul></section>"
        )
    if staff and report.flags:
        items = "".join(
            f"<li><pre>{e(f)}</pre></li>" if "\n" in f else f"<li>{e(f)}</li>" for f in report.flags
        )
        body.append(
            "<section class='alert flag'><p class='lead'>For staff: look at this</p>"
            f"<ul>{items}</ul></section>"
        )
    lost = [q for q in report.questions if _lost_points(q)]
    full = [q for q in report.questions if not _lost_points(q)]
    if lost:
        body.append(
            "<section><h2>What to fix</h2>"
            + "".join(_question(q, staff) for q in lost)
            + "</section>"
        )
    if full:
        body.append(
            "<section><h2>Questions with full marks</h2>"
            + "".join(_full_marks(q, staff) for q in full)
            + "</section>"
        )
    body += [
        *(section.html(staff=staff) for section in report.sections.values()),
        notebook(report.notebook),
        run(report),
    ]
    return page(f"{title} ({view.lower()})", "".join(body))


def _lost_points(q: QuestionResult) -> bool:
    return any(c.status != "passed" for c in q.checks) or q.submitted_score is not None


def _problem(report: Report) -> str:
    if report.status == "graded":
        return ""
    reason = report.error or "no reason was recorded."
    return (
        f"<section class='alert' role='alert'><p class='lead'>This submission was "
        f"{e(report.status)}: {e(reason)}</p><p>{e(TODO.get(report.status, ''))}</p>"
        "</section>"
    )


def _summary(report: Report) -> str:
    checks = report.checks()
    passed = sum(c.status == "passed" for c in checks)
    fraction = report.score / report.max_score if report.max_score else 0.0
    counts = f"{passed} of {len(checks)} checks passed" if checks else "no checks were run"
    return (
        f"<section class='card score' aria-label='score'><div class='big'>{num(report.score)}"
        f" <small>/ {num(report.max_score)} points</small></div>{bar(fraction)}<div><div>"
        f"{badge(report.status)} <b>{fraction * 100:.1f} %</b></div>"
        f"<div class='muted'>{counts}</div></div></section>"
    )


def _lost(report: Report, staff: bool) -> str:
    """Every question that lost points, one line each: the first screen's core."""
    if report.status != "graded" or not report.questions:
        return ""
    lost = lost_questions(report, staff=staff)
    if not lost:
        return "<section aria-label='what lost points'><p>Every check passed.</p></section>"
    rows = [
        f"<tr><td class='id'><a href='#{anchor('q', q.id)}'>{e(q.id)}</a></td>"
        f"<td class='num pts'>{num(q.score)} / {num(q.max_score)}</td>"
        f"<td>{e(q.reason)}</td></tr>"
        for q in lost
    ]
    n = len(lost)
    return (
        f"<section aria-labelledby='lost'><h2 id='lost'>What lost points "
        f"<small class='muted'>{n} question{'s' if n != 1 else ''}</small></h2>"
        f"{table(['Question', '#Points', 'Why (the first failed check)'], rows, 'lost')}"
        "</section>"
    )


def _question(q: QuestionResult, staff: bool) -> str:
    """A question that lost points: why first, each failed check, the passed ones folded."""
    passed = [c for c in q.checks if c.status == "passed"]
    hint = f"<p class='hint'>{e(q.hint)}</p>" if q.hint else ""
    if q.submitted_score is not None:
        hint += (
            f"<p class='muted'>Graded with the reference's versions of the functions it calls "
            f"that fail their own checks; as submitted it scored {num(q.submitted_score)} / "
            f"{num(q.max_score)}.</p>"
        )
    failures: list[str] = []
    opened = False
    same: list[CheckResult] = []  # failed checks in a row that failed for one reason
    for c in [*q.checks, None]:
        if same and (c is None or c.status == "passed" or _why(c) != _why(same[0])):
            failures.append(_failure(same[0], open_=False) if len(same) == 1 else _group(same))
            same = []
        if c is None or c.status == "passed":
            continue
        if c.visibility == "hidden" and not staff:
            continue  # counted in the question's hidden-check note
        compared = isinstance(c.details, dict) and "expected" in c.details
        if compared and not opened:
            failures.append(_failure(c, open_=True))
            opened = True
        else:
            same.append(c)
    fold = (
        f"<details class='fold'><summary>{len(passed)} passed check"
        f"{'s' if len(passed) != 1 else ''}</summary>{_table(passed, staff)}</details>"
        if passed
        else ""
    )
    return (
        f"<section id='{anchor('q', q.id)}' class='question'><h3><code>{e(q.id)}</code> · "
        f"{num(q.score)} / {num(q.max_score)} points <small class='muted'>{len(passed)} of "
        f"{len(q.checks)} checks passed</small></h3>{hint}{''.join(failures)}{fold}"
        f"{_hidden_note(q, staff)}</section>"
    )


def _full_marks(q: QuestionResult, staff: bool) -> str:
    n = len(q.checks)
    return (
        f"<details class='question' id='{anchor('q', q.id)}'><summary>{badge('passed')} "
        f"<code>{e(q.id)}</code> {num(q.score)} / {num(q.max_score)} points · {n} check"
        f"{'s' if n != 1 else ''}</summary>{_table(q.checks, staff)}{_hidden_note(q, staff)}"
        "</details>"
    )


def _table(checks: list[CheckResult], staff: bool) -> str:
    rows = []
    for c in checks:
        if c.visibility == "hidden" and not staff:
            rows.append(
                f"<tr><td>{badge(c.status)}</td><td class='muted'>hidden check</td>"
                f"<td class='num'>{_points(c)}</td><td class='muted'>details hidden</td></tr>"
            )
            continue
        tag = " <span class='badge tag'>hidden</span>" if c.visibility == "hidden" else ""
        rows.append(
            f"<tr><td>{badge(c.status)}</td><td class='id'>{e(c.id)}{tag}</td>"
            f"<td class='num'>{_points(c)}</td><td>{e(c.description)}</td></tr>"
        )
    return table(["Status", "Check", "#Points", "What it checks"], rows, "checks")


def _hidden_note(q: QuestionResult, staff: bool) -> str:
    hidden = [c for c in q.checks if c.visibility == "hidden"]
    if staff or not hidden:
        return ""
    tally: dict[str, int] = {}
    for c in hidden:
        tally[c.status] = tally.get(c.status, 0) + 1
    counts = ", ".join(f"{n} {WORDS.get(s, s)}" for s, n in tally.items())
    plural = "s" if len(hidden) != 1 else ""
    return f"<p class='muted'>{len(hidden)} hidden check{plural}: {counts} (details hidden).</p>"


def _points(c: CheckResult) -> str:
    return f"{num(c.points)} / {num(c.max_points)}"


def _why(c: CheckResult) -> str:
    return one_line(reason(c))


def _group(checks: list[CheckResult]) -> str:
    """Failed checks that say the same thing, folded under one line."""
    got, most = sum(c.points for c in checks), sum(c.max_points for c in checks)
    return (
        f"<details class='failure'><summary>{badge(checks[0].status)} {len(checks)} checks "
        f"{num(got)} / {num(most)} · <span class='why'>{e(_why(checks[0]))}</span></summary>"
        + "".join(_failure(c, open_=False) for c in checks)
        + "</details>"
    )


def _failure(c: CheckResult, *, open_: bool) -> str:
    """One failed check: a line that says why, and, unfolded, the question it asks, the
    feedback and the grids (inputs, expected vs got with the differing cells marked)."""
    tag = " <span class='badge tag'>hidden</span>" if c.visibility == "hidden" else ""
    desc = f"<p class='ask'>{e(c.description)}</p>" if c.description else ""
    text = trimmed(c.feedback.rstrip(), c.details)
    feedback = f"<pre class='feedback'>{e(text)}</pre>" if c.feedback else ""
    return (
        f"<details class='failure' id='{anchor(c.question, c.id)}'{' open' if open_ else ''}>"
        f"<summary>{badge(c.status)} <code>{e(c.id)}</code>{tag} {_points(c)} · "
        f"<span class='why'>{e(_why(c))}</span></summary>{desc}{feedback}"
        f"{details(c.details)}</details>"
    )
