"""The parts of report.html about the run rather than the checks: the failed cells (grouped
on the first screen, each folded with its source, output and traceback further down) and
how the grade ran (time, sandbox, limits, versions)."""

from __future__ import annotations

from typing import Any

import autograder
from autograder.reports.digest import cell_groups
from autograder.reports.page import ANSI, LIMITS, anchor, badge, e, first_line
from autograder.results import Report

CELL_GROUPS = 8
"""Groups of failed cells listed on the first screen (the Notebook section has them all)."""


def failed_cells(nb: dict[str, Any] | None) -> str:
    """The cells that failed, grouped by message, one line each, on the first screen: a
    failed import or definition is often why many checks fail."""
    groups = cell_groups(nb)
    if not groups:
        return ""
    items = "".join(
        f"<li><a href='#{anchor('cell', str(g.cells[0]))}'>{e(g.label)}</a>: "
        f"<code>{e(g.message)}</code></li>"
        for g in groups[:CELL_GROUPS]
    )
    more = len(groups) - CELL_GROUPS
    rest = f"<li>… and {more} more messages (see Notebook).</li>" if more > 0 else ""
    return (
        "<section class='alert note cells'><p class='lead'>Cells that failed (fix these "
        f"first: checks of anything they define fail too)</p><ul>{items}{rest}</ul></section>"
    )


def notebook(nb: dict[str, Any] | None) -> str:
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
            f"<details class='cell' id='{anchor('cell', str(err.get('cell')))}'><summary>"
            f"Cell {e(err.get('cell'))} {badge(err.get('status') or 'error')} "
            f"<code>{e(first_line(err.get('error')))}</code></summary>"
            f"<pre class='message'>{e(err.get('error'))}</pre>"
            f"<pre><code>{e(err.get('source'))}</code></pre>"
        )
        if err.get("output"):
            tail = "\n".join(ANSI.sub("", err["output"]).rstrip().splitlines()[-15:])
            out.append(f"<p class='muted'>Output:</p><pre>{e(tail)}</pre>")
        if err.get("traceback"):
            out.append(
                f"<p class='muted'>Traceback:</p><pre>{e(ANSI.sub('', err['traceback']))}</pre>"
            )
        out.append("</details>")
    return "".join(out) + "</section>"


def run(report: Report) -> str:
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
