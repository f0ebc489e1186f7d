"""OUT/index.html: the class overview for course staff, one self-contained page.

Built from the report.json dicts of a batch. It opens with the students: one row each with
status, score and flags (an untouched template, kernel restarts, tampering, time-outs,
a failed component such as training, anything else flagged), then the per-question and
per-check pass rates, the score distribution, what needs a look and the slowest grades.

Sorting needs no script (the pages have none, and their Content-Security-Policy forbids
one): the student table comes in three sorted views, ``index.html`` (by name),
``index-by-score.html`` (lowest score first) and ``index-by-status.html`` (problems first),
each the same page with the table in another order, linked from the table's headings.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import quote

from autograder import components
from autograder.reports import svg
from autograder.reports.page import badge, bar, e, num, page, table

SLOWEST = 10
VIEWS = {"name": "index.html", "score": "index-by-score.html", "status": "index-by-status.html"}
"""The sorted views of the student table, by the column they sort."""
_STATUS_ORDER = {"error": 0, "rejected": 1, "graded": 2}


def render_index(
    reports: list[dict[str, Any]], *, links: dict[str, str], order: str = "name"
) -> str:
    """The class overview; ``links`` maps a submission's name to its report's relative URL;
    ``order`` sorts the student table (a key of :data:`VIEWS`)."""
    reports = sorted(reports, key=lambda r: str(r.get("submission", "")))
    assignments = sorted({str(r["assignment"]) for r in reports if r.get("assignment")})
    title = "Class overview" + (f": {', '.join(assignments)}" if assignments else "")
    n = len(reports)
    body = [
        f"<header><h1>{e(title)}</h1><p class='sub'>{n} submission{'s' if n != 1 else ''}"
        "</p></header>"
    ]
    if not reports:
        return page(title, "".join(body) + "<p>No reports were found.</p>")
    body += [
        _at_a_glance(reports),
        _students(reports, links, order),
        _questions(reports, multi=len(assignments) > 1),
        _distribution(reports),
        _attention(reports, links),
        _slowest(reports, links),
    ]
    return page(title, "".join(body))


def write_index(out: Path, folders: list[Path]) -> Path:
    """Write ``out/index.html`` (and its sorted views) from each folder's report.json,
    linking to its report.html.

    Folders without a readable report.json are left out. Two submissions with the same
    file name (from different places) are told apart by their folder's name.
    """
    out = Path(out)
    loaded = []
    for folder in map(Path, folders):
        try:
            data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "submission" in data:
            loaded.append((folder, data))
    names = [str(data["submission"]) for _, data in loaded]
    links = {}
    for folder, data in loaded:
        if names.count(str(data["submission"])) > 1:
            data["submission"] = f"{data['submission']} ({folder.name})"
        relative = os.path.relpath(folder / "report.html", out)
        links[str(data["submission"])] = quote(Path(relative).as_posix())
    out.mkdir(parents=True, exist_ok=True)
    for order, name in VIEWS.items():
        path = out / name
        tmp = path.with_name(name + ".tmp")
        text = render_index([data for _, data in loaded], links=links, order=order)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return out / VIEWS["name"]


def _percent(r: dict[str, Any]) -> float:
    top = float(r.get("max_score") or 0)
    return 100.0 * float(r.get("score") or 0) / top if top else 0.0


def _seconds(r: dict[str, Any]) -> float:
    try:
        return float((r.get("timing") or {}).get("total_s") or 0)
    except (TypeError, ValueError):
        return 0.0


def _name(r: dict[str, Any], links: dict[str, str]) -> str:
    name = str(r.get("submission", "?"))
    href = links.get(name)
    return f'<a href="{e(href)}">{e(name)}</a>' if href else e(name)


def flags(r: dict[str, Any]) -> list[tuple[str, str]]:
    """What to know about one submission at a glance: (css class, words) pairs."""
    out: list[tuple[str, str]] = []
    nb: dict[str, Any] = r["notebook"] if isinstance(r.get("notebook"), dict) else {}
    if nb.get("same_as_template"):
        out.append(("tag", "untouched template"))
    restarts = nb.get("kernel_restarts") or 0
    if restarts:
        out.append(("timeout", f"kernel restarted {restarts}×"))
    checks = [c for q in r.get("questions") or [] for c in q.get("checks") or []]
    timeouts = sum(c.get("status") == "timeout" for c in checks)
    timeouts += sum(err.get("status") == "timeout" for err in nb.get("errors") or [])
    if timeouts:
        out.append(("timeout", f"{timeouts} time-out{'s' if timeouts != 1 else ''}"))
    texts = [str(f) for f in r.get("flags") or []]
    if any("tamper" in t for t in texts):
        out.append(("failed", "tampering"))
    others = sum("tamper" not in t for t in texts)
    if others:
        out.append(("tag", f"{others} flag{'s' if others != 1 else ''}"))
    for key in components.REGISTRY:
        if isinstance(r.get(key), dict) and components.section_from_json(key, r[key]).problem():
            out.append(("failed", f"{key} failed"))
    return out


def _sort_key(order: str) -> Any:
    if order == "score":
        return lambda r: (_percent(r), str(r.get("submission", "")))
    if order == "status":
        return lambda r: (
            _STATUS_ORDER.get(str(r.get("status")), -1),
            -len(flags(r)),
            str(r.get("submission", "")),
        )
    return lambda r: str(r.get("submission", ""))


def _students(reports: list[dict[str, Any]], links: dict[str, str], order: str) -> str:
    ordered = sorted(reports, key=_sort_key(order if order in VIEWS else "name"))
    rows = [
        f"<tr><td>{_name(r, links)}</td><td>{badge(str(r.get('status')))}</td>"
        f"<td class='num'>{num(float(r.get('score') or 0))} / "
        f"{num(float(r.get('max_score') or 0))}</td><td>{bar(_percent(r) / 100)}</td>"
        f"<td>{' '.join(badge_of(kind, words) for kind, words in flags(r))}</td>"
        f"<td class='num'>{_seconds(r):.1f} s</td></tr>"
        for r in ordered
    ]
    words = {"name": "Student", "score": "#Score", "status": "Status"}

    def heading(key: str) -> str:
        label = words[key].lstrip("#")
        if key == order:
            return f"{'#' if key == 'score' else ''}{label} <span class='muted'>(sorted)</span>"
        return f"{'#' if key == 'score' else ''}<a href='{VIEWS[key]}'>{label}</a>"

    head = [heading("name"), heading("status"), heading("score"), "", "Flags", "#Time"]
    how = {"name": "by name", "score": "lowest score first", "status": "problems first"}
    return (
        f"<section><h2>Students</h2><p class='muted'>Sorted {how.get(order, 'by name')}; "
        "a heading's link sorts by that column.</p>"
        f"{table(head, rows, 'students')}</section>"
    )


def badge_of(kind: str, words: str) -> str:
    return f"<span class='badge {e(kind)}'>{e(words)}</span>"


def _at_a_glance(reports: list[dict[str, Any]]) -> str:
    graded = [_percent(r) for r in reports if r.get("status") == "graded"]
    statuses: dict[str, int] = {}
    for r in reports:
        statuses[str(r.get("status"))] = statuses.get(str(r.get("status")), 0) + 1
    counts = " ".join(f"{badge(s)} {k}" for s, k in sorted(statuses.items()))
    mean = f"{statistics.mean(graded):.1f} %" if graded else "—"
    median = f"{statistics.median(graded):.1f} %" if graded else "—"
    flagged = sum(bool(flags(r)) for r in reports)
    return (
        f"<section class='card score' aria-label='at a glance'><div class='big'>"
        f"{len(reports)} <small>submissions</small></div><div><div>By status: {counts}</div>"
        f"<div class='muted'>Graded: mean score {mean}, median {median}; {flagged} "
        "with flags</div></div></section>"
    )


def _distribution(reports: list[dict[str, Any]]) -> str:
    counts = [0] * 10
    for r in reports:
        counts[min(9, max(0, int(_percent(r) // 10)))] += 1
    chart = svg.histogram(
        counts,
        list(range(0, 101, 10)),
        x_label="score (% of the maximum)",
        title="Score distribution (every submission)",
    )
    return (
        f"<section><h2>Scores</h2><figure style='margin:0;max-width:560px'>{chart}</figure>"
        "</section>"
    )


def _attention(reports: list[dict[str, Any]], links: dict[str, str]) -> str:
    rows = []
    for r in reports:
        if r.get("status") != "graded":
            why = r.get("error") or "no reason was recorded"
            rows.append(
                f"<tr><td>{_name(r, links)}</td><td>{badge(str(r.get('status')))}</td>"
                f"<td>{e(why)}</td></tr>"
            )
        for key in components.REGISTRY:
            if isinstance(r.get(key), dict):
                why = components.section_from_json(key, r[key]).problem()
                if why:
                    rows.append(
                        f"<tr><td>{_name(r, links)}</td><td>{badge('failed')} {e(key)}</td>"
                        f"<td>{e(why)}</td></tr>"
                    )
        for flag in r.get("flags") or []:
            first = str(flag).splitlines()[0] if flag else ""
            rows.append(
                f"<tr><td>{_name(r, links)}</td><td><span class='badge tag'>flag</span>"
                f"</td><td>{e(first)}</td></tr>"
            )
    if not rows:
        return (
            "<section><h2>Needs attention</h2><p>Every submission was graded; nothing was "
            "flagged.</p></section>"
        )
    head = ["Submission", "Status", "Why"]
    return f"<section><h2>Needs attention</h2>{table(head, rows)}</section>"


def _questions(reports: list[dict[str, Any]], *, multi: bool) -> str:
    stats: dict[tuple[str, str], dict[str, Any]] = {}
    for r in reports:
        if r.get("status") != "graded":
            continue
        for q in r.get("questions") or []:
            key = (str(r.get("assignment")), str(q.get("id")))
            s = stats.setdefault(key, {"n": 0, "full": 0, "score": 0.0, "max": 0.0, "checks": {}})
            score, top = float(q.get("score") or 0), float(q.get("max_score") or 0)
            s["n"] += 1
            s["score"] += score
            s["max"] = max(s["max"], top)
            s["full"] += score >= top - 1e-9
            for c in q.get("checks") or []:
                tally = s["checks"].setdefault(
                    str(c.get("id")), [0, 0, c.get("visibility"), c.get("max_points")]
                )
                tally[0] += c.get("status") == "passed"
                tally[1] += 1
    if not stats:
        return ""
    q_rows, c_rows = [], []
    for (assignment, qid), s in stats.items():
        label = e(f"{assignment} · {qid}" if multi else qid)
        rate = s["full"] / s["n"]
        q_rows.append(
            f"<tr><td class='id'>{label}</td><td class='num'>{rate * 100:.0f} %</td>"
            f"<td>{bar(rate)}</td><td class='num'>{num(s['score'] / s['n'])} / "
            f"{num(s['max'])}</td></tr>"
        )
        for cid, (passed, total, visibility, points) in s["checks"].items():
            tag = " <span class='badge tag'>hidden</span>" if visibility == "hidden" else ""
            c_rows.append(
                (
                    passed / total,
                    f"<tr><td class='id'>{label} · {e(cid)}{tag}</td><td class='num'>"
                    f"{passed} / {total}</td><td>{bar(passed / total)}</td>"
                    f"<td class='num'>{num(float(points or 0))}</td></tr>",
                )
            )
    c_rows.sort(key=lambda row: row[0])  # the checks that fail most first (stable)
    return (
        "<section><h2>Questions</h2><p class='muted'>Pass rate: the share of graded "
        "submissions with full marks on the question.</p>"
        + table(["Question", "#Pass rate", "", "#Mean score"], q_rows)
        + "<h3>Checks</h3><p class='muted'>The checks that fail most come first.</p>"
        + table(["Check", "#Passed", "", "#Points"], [row for _, row in c_rows])
        + "</section>"
    )


def _slowest(reports: list[dict[str, Any]], links: dict[str, str]) -> str:
    slow = sorted(reports, key=_seconds, reverse=True)[:SLOWEST]
    rows = [
        f"<tr><td>{_name(r, links)}</td><td class='num'>{_seconds(r):.1f} s</td>"
        f"<td>{badge(str(r.get('status')))}</td></tr>"
        for r in slow
    ]
    head = ["Submission", "#Time", "Status"]
    return f"<section><h2>Slowest submissions</h2>{table(head, rows)}</section>"
