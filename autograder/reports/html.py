"""report.html: one self-contained page per submission, for staff or for the student.

The page needs nothing but itself: inline CSS, inline SVG plots, data-URI images, no
JavaScript, and a Content-Security-Policy that forbids scripts and network access. Every
text that comes from a report is escaped: a submission's output and messages are hostile.

``render_staff`` shows everything; ``render_student`` shows a hidden check's status and
points only, and never shows staff flags or the mirrored-image (flip) figures.
"""

from __future__ import annotations

from typing import Any

import autograder
from autograder.reports.grids import details
from autograder.reports.page import (
    ANSI,
    LIMITS,
    TODO,
    WORDS,
    anchor,
    badge,
    bar,
    e,
    first_line,
    num,
    page,
    table,
)
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
        _failed_cells(report.notebook),
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
    if report.questions:
        body.append(_overview(report))
        body += [_question(q, staff) for q in report.questions]
    body += [
        *(section.html(staff=staff) for section in report.sections.values()),
        _notebook(report.notebook),
        _run(report),
    ]
    return page(f"{title} ({view.lower()})", "".join(body))


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


def _overview(report: Report) -> str:
    rows = []
    for q in report.questions:
        passed = sum(c.status == "passed" for c in q.checks)
        fraction = q.score / q.max_score if q.max_score else 0.0
        rows.append(
            f"<tr><td class='id'><a href='#{anchor('q', q.id)}'>{e(q.id)}</a></td>"
            f"<td class='num'>{num(q.score)} / {num(q.max_score)}</td>"
            f"<td>{bar(fraction)}</td><td>{passed} of {len(q.checks)} passed</td></tr>"
        )
    head = ["Question", "#Score", "", "Checks"]
    return f"<section><h2>Questions</h2>{table(head, rows)}</section>"


def _question(q: QuestionResult, staff: bool) -> str:
    rows, failures, hidden = [], [], []
    for c in q.checks:
        points = f"<td class='num'>{num(c.points)} / {num(c.max_points)}</td>"
        if c.visibility == "hidden" and not staff:
            hidden.append(c)
            rows.append(
                f"<tr><td>{badge(c.status)}</td><td class='muted'>hidden check</td>"
                f"{points}<td class='muted'>details hidden</td></tr>"
            )
            continue
        tag = " <span class='badge tag'>hidden</span>" if c.visibility == "hidden" else ""
        link = e(c.id) if c.status == "passed" else f"<a href='#{anchor(q.id, c.id)}'>{e(c.id)}</a>"
        rows.append(
            f"<tr><td>{badge(c.status)}</td><td class='id'>{link}{tag}</td>{points}"
            f"<td>{e(c.description)}</td></tr>"
        )
        if c.status != "passed":
            failures.append(_failure(c))
    note = ""
    if hidden:
        tally: dict[str, int] = {}
        for c in hidden:
            tally[c.status] = tally.get(c.status, 0) + 1
        counts = ", ".join(f"{n} {WORDS.get(s, s)}" for s, n in tally.items())
        plural = "s" if len(hidden) != 1 else ""
        note = (
            f"<p class='muted'>{len(hidden)} hidden check{plural}: {counts} (details hidden).</p>"
        )
    head = ["Status", "Check", "#Points", "What it checks"]
    return (
        f"<section id='{anchor('q', q.id)}'><h3><code>{e(q.id)}</code> · {num(q.score)} / "
        f"{num(q.max_score)} points</h3>{table(head, rows, 'checks')}{note}"
        f"{''.join(failures)}</section>"
    )


def _failure(c: CheckResult) -> str:
    head = (
        f"<h4>{e(c.question)} · {e(c.id)} {badge(c.status)} <span class='muted'>"
        f"{num(c.points)} / {num(c.max_points)} points</span></h4>"
    )
    desc = f"<blockquote>{e(c.description)}</blockquote>" if c.description else ""
    feedback = f"<pre class='feedback'>{e(c.feedback.rstrip())}</pre>" if c.feedback else ""
    return (
        f"<div class='failure' id='{anchor(c.question, c.id)}'>{head}{desc}{feedback}"
        f"{details(c.details)}</div>"
    )


def _failed_cells(nb: dict[str, Any] | None) -> str:
    """The cells that failed, one line each, on the first screen: a failed import or
    definition is often why many checks fail."""
    errors = (nb or {}).get("errors") or []
    if not errors:
        return ""
    items = "".join(
        f"<li><a href='#{anchor('cell', str(err.get('cell')))}'>cell {e(err.get('cell'))}</a>: "
        f"<code>{e(first_line(err.get('error')))}</code></li>"
        for err in errors[:10]
    )
    more = f"<p>… and {len(errors) - 10} more.</p>" if len(errors) > 10 else ""
    return (
        "<section class='alert note'><p class='lead'>Cells that failed (fix these first: "
        f"checks of anything they define fail too)</p><ul>{items}</ul>{more}</section>"
    )


def _notebook(nb: dict[str, Any] | None) -> str:
    if not nb:
        return ""
    errors = nb.get("errors") or []
    restarts = nb.get("kernel_restarts") or 0
    line = (
        f"{nb.get('code_cells', nb.get('cells', '?'))} code cells: {nb.get('executed', '?')}"
        f" run, {nb.get('skipped', 0)} skipped (empty or tagged skip-execution), "
        f"{len(errors)} with errors"
        + (f"; the kernel was restarted {restarts} time(s)" if restarts else "")
        + "."
    )
    out = [f"<section><h2>Notebook</h2><p>{e(line)}</p>"]
    for err in errors:
        out.append(
            f"<div class='failure' id='{anchor('cell', str(err.get('cell')))}'>"
            f"<h4>Cell {e(err.get('cell'))} "
            f"{badge(err.get('status') or 'error')} <code>{e(err.get('error'))}</code></h4>"
            f"<pre><code>{e(err.get('source'))}</code></pre>"
        )
        if err.get("output"):
            tail = "\n".join(ANSI.sub("", err["output"]).rstrip().splitlines()[-15:])
            out.append(f"<p class='muted'>Output:</p><pre>{e(tail)}</pre>")
        if err.get("traceback"):
            out.append(
                "<details><summary>Traceback</summary>"
                f"<pre>{e(ANSI.sub('', err['traceback']))}</pre></details>"
            )
        out.append("</div>")
    return "".join(out) + "</section>"


def _run(report: Report) -> str:
    t, nb = report.timing or {}, report.notebook or {}
    times: list[tuple[str, Any]] = [("notebook", nb.get("seconds")), ("checks", t.get("checks_s"))]
    times += [took for took in (s.seconds() for s in report.sections.values()) if took]
    times.append(("total", t.get("total_s")))
    rows: list[tuple[str, Any]] = [
        ("Time", " · ".join(f"{k} {float(v):.1f} s" for k, v in times if v is not None))
    ]
    s = report.sandbox or {}
    if s:
        network = "on" if s.get("network") else "off"
        limits = (s.get("limits") or {}).items()
        rows += [
            ("Sandbox", f"{s.get('kind')} (network {network}, filesystem {s.get('filesystem')})"),
            ("Kernel user", s.get("user")),
            ("Device", s.get("device")),
            ("Sandbox note", s.get("note")),
            ("Limits", ", ".join(LIMITS.get(k, k + " {}").format(v) for k, v in limits)),
        ]
    rows += [
        ("Assignment version", report.assignment_version),
        ("Notebook version", report.notebook_version),
        ("SHA-256", report.sha256),
        ("Graded at", report.graded_at),
        ("Grader", f"autograder {autograder.__version__}"),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows if v not in (None, ""))
    return (
        f"<section><h2>Run</h2><dl class='kv'>{items}</dl></section>"
        "<footer>Made by the autograder.</footer>"
    )
