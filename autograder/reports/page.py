"""The HTML pages' common parts: the stylesheet, the page frame with its
Content-Security-Policy (no scripts, no network), escaping, and small widgets (score bars,
status badges, tables). Every text that comes from a report goes through :func:`e`."""

from __future__ import annotations

import re
from html import escape
from typing import Any

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
:root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--bg:#f9fafb;--ok:#15803d;--bad:#b91c1c;
--warn:#b45309;--info:#1d4ed8}*{box-sizing:border-box}body{margin:0;color:var(--fg);
background:#fff;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:20px 20px 48px}h1{font-size:1.5rem;margin:0 0 2px;
overflow-wrap:anywhere}h2{font-size:1.2rem;margin:28px 0 10px;
padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:1.05rem;margin:20px 0 6px}
h2 small,h3 small{font-weight:400;font-size:.85rem}
.sub{color:var(--muted);margin:0 0 10px}.card{border:1px solid var(--line);border-radius:10px;
padding:10px 18px;background:var(--bg);margin:10px 0}.score{display:flex;flex-wrap:wrap;
gap:6px 28px;align-items:center}.big{font-size:2.4rem;font-weight:700;line-height:1.1}
.big small{font-size:1.1rem;color:var(--muted);font-weight:500}.bar{height:10px;
background:var(--line);border-radius:5px;overflow:hidden;min-width:60px}.bar>span{display:block;
height:100%;background:var(--ok)}.score .bar{flex:1 1 240px;height:14px;border-radius:7px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.8rem;font-weight:600;
color:#fff;white-space:nowrap}.passed,.graded{background:var(--ok)}
.failed,.rejected{background:var(--bad)}.error{background:#991b1b}.timeout{background:#6d28d9}
.skipped,.tag{background:var(--muted)}.alert{border-left:5px solid var(--bad);background:#fef2f2;
padding:8px 14px;border-radius:6px;margin:10px 0}.alert p{margin:2px 0}.alert ul{margin:2px 0}
.alert .lead{font-size:1.05rem;font-weight:600}.alert.note{border-color:var(--info);
background:#eff6ff}.alert.flag{border-color:var(--warn);background:#fffbeb}.scroll{overflow-x:auto}
table.lost td{padding:3px 8px}table.lost td.id{width:1%;white-space:nowrap;font-weight:600}
td.pts{color:var(--bad);font-weight:600}.failure .failure{margin:6px 0 6px 12px}
.hint{border-left:4px solid var(--warn);background:#fffbeb;padding:6px 12px;margin:6px 0;
font-weight:600}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid var(--line);vertical-align:top}th{font-size:.85rem;color:var(--muted);
font-weight:600}.muted{color:var(--muted)}td.num,th.num{text-align:right;white-space:nowrap;
font-variant-numeric:tabular-nums}td.id{font-family:MONO;font-size:.85rem;overflow-wrap:anywhere}
td .bar{width:120px;margin-top:6px}table.checks td:nth-child(1){width:90px}
table.checks td:nth-child(2){width:28%}pre{background:#f3f4f6;border-radius:6px;padding:10px 12px;
overflow-x:auto;font-size:.82rem;line-height:1.4;white-space:pre-wrap;overflow-wrap:anywhere;
margin:8px 0}code{font-family:MONO}.failure{border:1px solid #fecaca;border-radius:8px;
padding:6px 12px;margin:6px 0}.failure .ask{margin:6px 0;color:#374151;font-style:italic}
details>summary{cursor:pointer}details.failure>summary,details.cell>summary{overflow-wrap:anywhere}
details.question{border-bottom:1px solid var(--line);padding:4px 0}details.fold{margin:6px 0}
details.fold>summary,details.question>summary{color:var(--info)}
details.question>summary code{color:var(--fg)}details.cell{margin:6px 0}
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
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin-top:40px;color:var(--muted);
font-size:.8rem}@media (max-width:600px){main{padding:16px 12px}.big{font-size:2rem}
td .bar{width:60px}dl.kv{grid-template-columns:1fr}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}a{color:inherit;
text-decoration:none}details.fold,details.question,.bar,footer{display:none}
details.failure::details-content,details.cell::details-content{content-visibility:visible;
display:block}details>summary{list-style:none}.card,.failure,figure,.alert,li{break-inside:avoid}
h2,h3{break-after:avoid}pre{white-space:pre-wrap}}
""".replace("MONO", MONO)


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
        f"<th class='num'>{h[1:]}</th>"
        if h.startswith("#")
        else f"<th>{h or '<span class=sr>Share</span>'}</th>"
        for h in head
    )
    klass = f" class='{css}'" if css else ""
    return (
        f"<div class='scroll'><table{klass}><thead><tr>{cells}</tr></thead><tbody>"
        f"{''.join(rows)}</tbody></table></div>"
    )


def anchor(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))


def first_line(text: Any, limit: int = 200) -> str:
    line = (str(text or "").splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"
