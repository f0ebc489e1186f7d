"""report.html: one self-contained page per submission, for staff or for the student.

The page needs nothing but itself: inline CSS, inline SVG plots, data-URI images, no
JavaScript, and a Content-Security-Policy that forbids scripts and network access. Every
text that comes from a report is escaped: a submission's output and messages are hostile.

``render_staff`` shows everything; ``render_student`` shows a hidden check's status and
points only, and never shows staff flags or the mirrored-image (flip) figures.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import numpy as np

import autograder
from autograder.reports import svg
from autograder.results import CheckResult, QuestionResult, Report

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WORDS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "timeout": "timed out",
    "skipped": "skipped",
}
TODO = {
    "rejected": "Nothing was run. Fix the file as this sentence says and submit it again.",
    "error": "This is a problem of the grader, not necessarily of the notebook: tell the course "
    "staff; the submission will be graded again.",
}
LIMITS = {
    "cell_timeout_s": "{} s per cell",
    "call_timeout_s": "{} s per call",
    "total_timeout_s": "{} s in all",
    "memory_mb": "{} MiB memory",
    "max_processes": "{} processes",
    "max_file_mb": "{} MiB per file",
    "max_output_kb": "{} KiB of output kept",
    "max_result_mb": "{} MiB per result",
    "max_kernel_restarts": "{} kernel restarts",
    "max_timeouts_per_function": "{} timeouts per function",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
CSS = """
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--ok:#16a34a;--bad:#dc2626;
--warn:#d97706;--info:#2563eb}*{box-sizing:border-box}body{margin:0;color:var(--fg);
background:#fff;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}h1{font-size:1.5rem;margin:0 0 4px;
overflow-wrap:anywhere}h4{font-size:.95rem;margin:0 0 6px}h2{font-size:1.2rem;margin:36px 0 12px;
padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:1.05rem;margin:24px 0 8px}
.sub{color:var(--muted);margin:0 0 16px}.card{border:1px solid var(--line);border-radius:10px;
padding:16px 20px;background:var(--bg);margin:16px 0}.score{display:flex;flex-wrap:wrap;
gap:8px 28px;align-items:center}.big{font-size:2.6rem;font-weight:700;line-height:1.1}
.big small{font-size:1.1rem;color:var(--muted);font-weight:500}.bar{height:10px;
background:var(--line);border-radius:5px;overflow:hidden;min-width:60px}.bar>span{display:block;
height:100%;background:var(--ok)}.score .bar{flex:1 1 240px;height:14px;border-radius:7px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.8rem;font-weight:600;
color:#fff;white-space:nowrap}.passed,.graded{background:var(--ok)}
.failed,.rejected{background:var(--bad)}.error{background:#b91c1c}.timeout{background:#7c3aed}
.skipped,.tag{background:var(--muted)}.alert{border-left:5px solid var(--bad);background:#fef2f2;
padding:12px 16px;border-radius:6px;margin:16px 0}.alert p{margin:4px 0}
.alert .lead{font-size:1.1rem;font-weight:600}.alert.note{border-color:var(--info);
background:#eff6ff}.alert.flag{border-color:var(--warn);background:#fffbeb}.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;
border-bottom:1px solid var(--line);vertical-align:top}th{font-size:.85rem;color:var(--muted);
font-weight:600}.muted{color:var(--muted)}td.num,th.num{text-align:right;white-space:nowrap;
font-variant-numeric:tabular-nums}td.id{font-family:MONO;font-size:.85rem;overflow-wrap:anywhere}
td .bar{width:120px;margin-top:6px}table.checks td:nth-child(1){width:90px}
table.checks td:nth-child(2){width:28%}pre{background:#f3f4f6;border-radius:6px;padding:10px 12px;
overflow-x:auto;font-size:.82rem;line-height:1.4;white-space:pre-wrap;overflow-wrap:anywhere;
margin:8px 0}code{font-family:MONO}.failure{border:1px solid #fecaca;border-radius:8px;
padding:12px 14px;margin:12px 0}.failure blockquote{margin:4px 0 8px;color:#374151}
.grids{display:flex;flex-wrap:wrap;gap:8px 20px;align-items:flex-start}
.grids figure{margin:4px 0;max-width:100%;overflow-x:auto}
.grids figcaption{font-size:.85rem;margin-bottom:2px}table.grid{width:auto;font:12px/1.2 MONO;
margin:2px 0 6px}table.grid td{border:1px solid var(--line);padding:3px 6px;text-align:right}
table.grid td.bad{background:#fee2e2;color:#991b1b;font-weight:700}.slice{font-size:.75rem;
color:var(--muted)}.figs{margin-top:16px;display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));
gap:20px}.figs figure{margin:0}.chart{width:100%;height:auto;display:block}.filters{display:flex;
flex-wrap:wrap;gap:4px}.filters img{width:40px;height:40px;image-rendering:pixelated;
border:1px solid var(--line)}dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;
margin:0}dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--info)}footer{margin-top:40px;color:var(--muted);
font-size:.8rem}@media (max-width:600px){main{padding:16px 12px}.big{font-size:2rem}
td .bar{width:60px}dl.kv{grid-template-columns:1fr}}@media print{body{font-size:11pt}
main{max-width:none;padding:0}a{color:inherit}.card,.failure,figure,.alert{break-inside:avoid}}
""".replace("MONO", MONO)


def render_staff(report: Report) -> str:
    """The whole report for course staff: hidden checks, flags and all."""
    return _render(report, staff=True)


def render_student(report: Report) -> str:
    """The report a student may see: hidden checks as status and points only, no flags."""
    return _render(report, staff=False)


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML document (the class index uses it too)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def e(value: Any) -> str:
    """The escaped text of any value (None is empty)."""
    return "" if value is None else escape(str(value), quote=True)


def num(x: float) -> str:
    """A score or points for people: at most two decimals, no trailing zeros."""
    return f"{round(float(x), 2):g}"


def bar(fraction: float) -> str:
    width = max(0.0, min(1.0, fraction)) * 100
    return f'<div class="bar"><span style="width:{width:.1f}%"></span></div>'


def badge(status: str) -> str:
    return f'<span class="badge {e(status)}">{e(WORDS.get(status, status))}</span>'


def table(head: list[str], rows: list[str], css: str = "") -> str:
    """A table that scrolls sideways on narrow screens; a heading "#x" is a number column."""
    cells = "".join(
        f"<th class='num'>{h[1:]}</th>" if h.startswith("#") else f"<th>{h}</th>" for h in head
    )
    klass = f" class='{css}'" if css else ""
    return (
        f"<div class='scroll'><table{klass}><thead><tr>{cells}</tr></thead><tbody>"
        f"{''.join(rows)}</tbody></table></div>"
    )


def anchor(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))


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
        svg.training_section(report.training, staff=staff),
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


def details(data: dict[str, Any] | None) -> str:
    """A failed check's inputs, expected and got values as small grids, differences marked."""
    if not isinstance(data, dict):
        return ""
    expected, got = data.get("expected"), data.get("got")
    mask = _mask(expected, got, data.get("wrong"))
    parts = []
    inputs = [
        f"<figure><figcaption><code>{e(k)}</code></figcaption>{grid(v)}</figure>"
        for k, v in (data.get("inputs") or {}).items()
    ]
    if inputs:
        parts.append(f"<p class='muted'>Input:</p><div class='grids'>{''.join(inputs)}</div>")
    pair = [
        f"<figure><figcaption><b>{name}</b></figcaption>{grid(data[name], mask)}</figure>"
        for name in ("expected", "got")
        if name in data
    ]
    if pair:
        hint = " (cells that differ are marked)" if mask is not None and mask.any() else ""
        parts.append(
            f"<p class='muted'>Expected vs got{hint}:</p><div class='grids'>{''.join(pair)}</div>"
        )
    return "".join(parts)


def grid(value: Any, mask: np.ndarray | None = None) -> str:
    """An array of a report (``{"shape", "dtype", "values"}``) as HTML tables, else text."""
    if not (isinstance(value, dict) and "values" in value):
        return f"<pre>{e(value if isinstance(value, str) else _fmt(value))}</pre>"
    shape = tuple(value.get("shape") or ())
    try:
        cells = np.array(value["values"], dtype=object).reshape(shape)
    except (ValueError, TypeError):
        return f"<pre>{e(value['values'])}</pre>"
    planes = cells.reshape((-1, *cells.shape[-2:])) if cells.ndim >= 2 else cells.reshape(1, 1, -1)
    marks = np.zeros(planes.shape, dtype=bool)
    if mask is not None and mask.shape == cells.shape:
        marks = mask.reshape(planes.shape)
    out = [f"<div class='slice'>{e(value.get('dtype'))} {e(shape)}</div>"]
    for k, plane in enumerate(planes):
        if cells.ndim > 2:
            index = ", ".join(map(str, np.unravel_index(k, cells.shape[:-2])))
            out.append(f"<div class='slice'>[{index}, :, :]</div>")
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td{' class=bad' if marks[k, i, j] else ''}>{e(_fmt(x))}</td>"
                for j, x in enumerate(row)
            )
            + "</tr>"
            for i, row in enumerate(plane)
        )
        out.append(f"<table class='grid'><tbody>{rows}</tbody></table>")
    return "".join(out)


def _mask(expected: Any, got: Any, wrong: Any) -> np.ndarray | None:
    """Which cells differ: the check's own ``wrong`` mask, else a comparison of the values."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return None
    if expected.get("shape") != got.get("shape"):
        return None
    shape = tuple(expected.get("shape") or ())
    try:
        if wrong is not None:
            return np.array(wrong, dtype=bool).reshape(shape)
        a = np.array(expected["values"], dtype=float).reshape(shape)
        b = np.array(got["values"], dtype=float).reshape(shape)
        return ~np.isclose(a, b, rtol=1e-6, atol=1e-8, equal_nan=True)
    except (ValueError, TypeError, KeyError):
        return None


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.5g}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return str(x)


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


def first_line(text: Any, limit: int = 200) -> str:
    line = (str(text or "").splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
    t, nb, tr = report.timing or {}, report.notebook or {}, report.training or {}
    times = [
        ("notebook", nb.get("seconds")),
        ("checks", t.get("checks_s")),
        ("training", tr.get("train_seconds")),
        ("total", t.get("total_s")),
    ]
    rows = [("Time", " · ".join(f"{k} {float(v):.1f} s" for k, v in times if v is not None))]
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
