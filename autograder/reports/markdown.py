"""report.md: the report a teaching assistant reads in a terminal (everything shown), in the
HTML report's order: a summary first, the details after."""

from __future__ import annotations

from autograder.reports.digest import cell_groups, lost_questions
from autograder.reports.text import md_block, md_inline
from autograder.results import CheckResult, Report

_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "–"}


def render(report: Report) -> str:
    """Summary first (score, failed cells, each question that lost points with why in one
    line, notes, flags), then the details (scores per question, every failed check)."""
    title = f"{report.assignment or 'unknown assignment'}: {report.submission}"
    lines = [f"# {md_inline(title)}", ""]
    if report.status != "graded":
        lines += [f"**Status: {report.status}.** {md_inline(_sentence(report.error))}", ""]
        if report.status == "rejected":
            lines += ["Nothing was run. Fix the file as the sentence says and submit again.", ""]
    lines += [f"**Score: {_num(report.score)} / {_num(report.max_score)}**", ""]
    groups = cell_groups(report.notebook)
    if groups:
        lines += [
            "**Cells that failed** (fix these first: checks of anything they define fail too):",
            "",
        ]
        lines += [f"- {g.label}: {md_inline(g.message)}" for g in groups[:10]]
        lines += (
            [f"- … and {len(groups) - 10} more (see Notebook below)"] if len(groups) > 10 else []
        )
        lines.append("")
    lost = lost_questions(report, staff=True)
    if lost:
        lines += ["**What lost points:**", ""]
        lines += [
            f"- {md_inline(q.id)} {_num(q.score)} / {_num(q.max_score)}: {md_inline(q.reason)}"
            for q in lost
        ]
        lines.append("")
    if report.notes:
        lines += ["Notes: " + "; ".join(md_inline(n) for n in report.notes) + ".", ""]
    if report.flags:
        lines += ["**For staff:**", ""]
        for flag in report.flags:
            head, _, rest = str(flag).partition("\n")
            lines.append(f"- {md_inline(head)}")
            lines += [f"  {line}" for line in md_block(rest)] if rest.strip() else []
        lines.append("")
    if report.questions:
        lines += ["## Questions", "", "| Question | Score | Checks |", "|---|---:|---|"]
        for q in report.questions:
            passed = sum(c.status == "passed" for c in q.checks)
            others = _counts([c for c in q.checks if c.status != "passed"])
            summary = f"{passed} of {len(q.checks)} passed" + (f" ({others})" if others else "")
            lines.append(f"| {q.id} | {_num(q.score)} / {_num(q.max_score)} | {summary} |")
        lines.append("")
    failing = [c for c in report.checks() if c.status != "passed"]
    if failing:
        lines += ["## What to fix", ""]
        for c in failing:
            lines += _check(c)
    for section in report.sections.values():
        lines += section.markdown()
    lines += _notebook(report)
    lines += _footer(report)
    return "\n".join(lines).rstrip() + "\n"


def _check(c: CheckResult) -> list[str]:
    head = f"### {c.question} · {c.id} ({_num(c.max_points)} points, {c.status}"
    head += ", hidden)" if c.visibility == "hidden" else ")"
    out = [head, ""]
    if c.description:
        out += [f"> {c.description}", ""]
    if c.feedback:
        out += [*md_block(c.feedback), ""]
    return out


def _notebook(report: Report) -> list[str]:
    nb = report.notebook
    if not nb:
        return []
    out = [
        "## Notebook",
        "",
        f"{nb['code_cells']} code cells: {nb['executed']} run, {nb['skipped']} skipped "
        f"(empty or tagged skip-execution), {len(nb['errors'])} with errors"
        + (
            f"; the kernel was restarted {nb['kernel_restarts']} time(s)"
            if nb.get("kernel_restarts")
            else ""
        )
        + ".",
        "",
    ]
    for e in nb["errors"]:
        out += [f"- cell {e['cell']} ({e['status']}): {md_inline(e['error'])}", ""]
        out += ["  " + line for line in md_block(e["source"], "python")] + [""]
        if e.get("output"):
            tail = "\n".join(str(e["output"]).rstrip().splitlines()[-15:])
            out += ["  output:"] + ["  " + line for line in md_block(tail)] + [""]
    return out


def _footer(report: Report) -> list[str]:
    out = ["## Run", ""]
    t = report.timing
    parts = [f"total {t.get('total_s', 0):.1f} s"]
    if report.notebook:
        parts.insert(0, f"notebook {report.notebook.get('seconds', 0):.1f} s")
    if "checks_s" in t:
        parts.insert(1, f"checks {t['checks_s']:.1f} s")
    for section in report.sections.values():
        took = section.seconds()
        if took:
            parts.insert(2, f"{took[0]} {took[1]:.1f} s")
    out.append("Time: " + " · ".join(parts))
    s = report.sandbox
    if s:
        lim = s.get("limits", {})
        out.append(
            f"Sandbox: {s['kind']} (network {'on' if s.get('network') else 'off'}, filesystem "
            f"{s.get('filesystem')}; {s.get('user')}); limits: cell {lim.get('cell_timeout_s')} s, "
            f"call {lim.get('call_timeout_s')} s, total {lim.get('total_timeout_s')} s, memory "
            f"{lim.get('memory_mb')} MiB, {lim.get('max_processes')} processes, files "
            f"{lim.get('max_file_mb')} MiB, output {lim.get('max_output_kb')} KiB"
        )
        if s.get("note"):
            out.append(f"Sandbox note: {s['note']}.")
    out.append(f"SHA-256: {report.sha256 or '—'} · graded {report.graded_at}")
    return out + [""]


def _counts(checks: list[CheckResult]) -> str:
    tally: dict[str, int] = {}
    for c in checks:
        tally[c.status] = tally.get(c.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in tally.items())


def _first_line(text: str | None, limit: int = 200) -> str:
    line = (str(text or "").splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _num(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.2f}"


def _pct(x: float | None) -> str | None:
    return None if x is None else f"{x:.2f} %"


def _sentence(text: str | None) -> str:
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
