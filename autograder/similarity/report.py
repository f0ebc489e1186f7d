"""The similarity report: ``OUT/similarity.csv`` (one row per reported pair),
``OUT/similarity/index.html`` (the pairs, best first) and one page per pair
(``OUT/similarity/pair-<hash>.html``: the two notebooks' code side by side, each matching
region highlighted and linked to its counterpart).

Pages are self-contained and script-free (:func:`autograder.reports.page.page`), every text
from a submission is escaped, and file names are hashes, never a submission's name.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from autograder.reports.page import bar, e, num, page, table
from autograder.reports.summary import cell
from autograder.similarity.compare import Match, Pair, Settings, Span, cells_of
from autograder.similarity.fingerprints import Cell

FOLDER = "similarity"
COLOURS = ("#fde68a", "#bfdbfe", "#fbcfe8", "#bbf7d0", "#ddd6fe", "#fed7aa")
"""Background colours of matching regions, in turn, so neighbouring regions stay apart."""
MAX_PAGES = 500
"""Pairs that get a page and a row on the index, best first; the CSV lists every pair (a
threshold that reports more asks more of a person than they can read)."""
_GRID = "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px"


def write(
    out: Path,
    pairs: Sequence[Pair],
    submissions: Sequence[tuple[str, Path]],
    *,
    template: Path | Sequence[Path] | None = None,
    settings: Settings | None = None,
    skipped: Sequence[tuple[str, str]] = (),
    max_pages: int = MAX_PAGES,
) -> Path:
    """Write the CSV, the index and a page for each of the first ``max_pages`` pairs (pages
    of earlier runs that no pair has any more are removed); the index's path.
    ``settings`` are those the pairs were found with (shown on the index); ``template``
    may be several (a batch of several assignments): cells identical to one of theirs are
    not shown."""
    out = Path(out)
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = dict(submissions)
    templates: list[Path] = []
    if isinstance(template, (str, os.PathLike)):
        templates.append(Path(template))
    elif template is not None:
        templates += [Path(t) for t in template]
    hidden = {c.source.strip() for t in templates for c in cells_of(t)}
    cells: dict[str, tuple[Cell, ...]] = {}  # each notebook read once
    paged = list(pairs[: max(0, max_pages)])
    for pair in paged:
        for key in (pair.a, pair.b):
            if key not in cells:
                cells[key] = cells_of(paths[key]) if key in paths else ()
        _replace(folder / pair.page, render_pair(pair, cells, hidden))
    wanted = {pair.page for pair in paged}
    for old in folder.glob("pair-*.html"):
        if old.name not in wanted:
            old.unlink()
    with open(out / "similarity.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["rank", "submission_a", "submission_b", "score", "shared",
                         "fingerprints_a", "fingerprints_b", "page"])  # fmt: skip
        for rank, p in enumerate(pairs, start=1):
            link = f"{FOLDER}/{p.page}" if p.page in wanted else ""
            row = [rank, p.a, p.b, f"{p.score:.3f}", p.shared, p.fingerprints_a,
                   p.fingerprints_b, link]  # fmt: skip
            writer.writerow([cell(value) for value in row])
    index = folder / "index.html"
    left_out = {key for key, _ in skipped}
    compared = sum(1 for key, _ in submissions if key not in left_out)
    text = render_index(paged, compared, templates, settings or Settings(), skipped, len(pairs))
    _replace(index, text)
    return index


def render_index(
    pairs: Sequence[Pair],
    compared: int,
    templates: Sequence[Path],
    settings: Settings,
    skipped: Sequence[tuple[str, str]] = (),
    reported: int | None = None,
) -> str:
    """The ranked pairs, each linking to its page, with how they were found; ``reported``
    counts the pairs at or above the threshold when only the first of them are given."""
    title = "Code similarity"
    s = settings
    reported = len(pairs) if reported is None else reported
    shown = f", the first {len(pairs)} shown here" if reported > len(pairs) else ""
    body = [
        f"<header><h1>{title}</h1><p class='sub'>{compared} notebook"
        f"{'s' if compared != 1 else ''} compared; {reported} pair"
        f"{'s' if reported != 1 else ''} at or above the threshold ({num(s.threshold)})"
        f"{shown}; similarity.csv lists them all.</p></header>",
        "<section class='card'><dl class='kv'>"
        f"<dt>Template</dt><dd>{e(', '.join(t.name for t in templates)) or 'none given'}</dd>"
        f"<dt>Score</dt><dd>shared fingerprints / fingerprints of the notebook with fewer"
        f"</dd><dt>Reported</dt><dd>score ≥ {num(s.threshold)} and at least {s.min_shared}"
        " shared fingerprints</dd><dt>Ignored</dt><dd>the template's code; code in more "
        f"than {num(s.common * 100)} % of the notebooks</dd><dt>Fingerprints</dt><dd>"
        f"winnowing over normalized tokens, k = {s.k}, window = {s.window}: names, numbers "
        "and strings are one token each; comments and layout do not count</dd></dl>"
        "</section>",
    ]
    if pairs:
        rows = [
            f"<tr><td class='num'>{rank}</td><td class='id'>{e(p.a)}</td>"
            f"<td class='id'>{e(p.b)}</td><td class='num'>{p.score * 100:.0f} %"
            f"{bar(p.score)}</td><td class='num'>{p.shared}</td>"
            f"<td><a href='{e(p.page)}'>side by side</a></td></tr>"
            for rank, p in enumerate(pairs, start=1)
        ]
        head = ["#Rank", "Submission", "Submission", "#Score", "#Shared", "Page"]
        body.append(f"<section><h2>Pairs</h2>{table(head, rows)}</section>")
    else:
        body.append("<section><h2>Pairs</h2><p>No pair reached the threshold.</p></section>")
    if skipped:
        rows = [f"<tr><td class='id'>{e(key)}</td><td>{e(why)}</td></tr>" for key, why in skipped]
        body.append(f"<section><h2>Not compared</h2>{table(['File', 'Why'], rows)}</section>")
    return page(title, "".join(body))


def render_pair(pair: Pair, cells: Mapping[str, tuple[Cell, ...]], hidden: set[str]) -> str:
    """Both notebooks' code side by side; cells identical to the template's are left out."""
    title = f"{pair.a} and {pair.b}"
    smaller = min(pair.fingerprints_a, pair.fingerprints_b)
    rows = [
        f"<tr><td class='num'>{n}</td><td><a href='#a{n}'>{_where(m.a)}</a></td>"
        f"<td><a href='#b{n}'>{_where(m.b)}</a></td><td class='num'>{m.tokens}</td></tr>"
        for n, m in enumerate(pair.matches, start=1)
    ]
    body = (
        f"<header><p><a href='index.html'>All pairs</a></p><h1>{e(title)}</h1>"
        f"<p class='sub'>Score {pair.score * 100:.0f} %: {pair.shared} shared fingerprints of "
        f"{smaller} (the notebook with fewer); {len(pair.matches)} matching regions, "
        "each linked to its counterpart.</p></header>"
        + table(["#Region", "In the first", "In the second", "#Tokens"], rows)
        + f"<div style='{_GRID};margin-top:16px'>"
        + _side(pair.a, cells.get(pair.a, ()), pair.matches, "a", hidden)
        + _side(pair.b, cells.get(pair.b, ()), pair.matches, "b", hidden)
        + "</div>"
    )
    return page(f"Similarity: {title}", body)


def _side(
    key: str, cells: tuple[Cell, ...], matches: Sequence[Match], side: str, hidden: set[str]
) -> str:
    other = "b" if side == "a" else "a"
    spans: dict[int, list[tuple[Span, int]]] = {}
    for n, m in enumerate(matches, start=1):
        span = m.a if side == "a" else m.b
        spans.setdefault(span.cell, []).append((span, n))
    hide = hidden | {""}
    shown = [c for c in cells if c.index in spans or c.source.strip() not in hide]
    parts = [f"<section style='min-width:0'><h2 style='margin-top:0'>{e(key)}</h2>"]
    if not cells:
        parts.append("<p class='muted'>The notebook could not be read again.</p>")
    if len(shown) < len(cells):
        parts.append(
            f"<p class='muted'>{len(cells) - len(shown)} code cells identical to the "
            "template's (or empty) are not shown.</p>"
        )
    for c in shown:
        code = _highlight(c, spans.get(c.index, []), side, other)
        parts.append(f"<h4>Cell {c.index + 1}</h4><pre><code>{code}</code></pre>")
    return "".join(parts) + "</section>"


def _highlight(c: Cell, spans: list[tuple[Span, int]], side: str, other: str) -> str:
    """The cell's source, escaped, each region a link to its counterpart (a region inside
    an earlier one keeps an empty anchor, so links to it still land)."""
    starts = [0]
    for line in c.source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(at: tuple[int, int]) -> int:
        line, column = at
        return min(len(c.source), starts[min(line, len(starts)) - 1] + column)

    html, done = [], 0
    for span, n in sorted(spans, key=lambda item: (offset(item[0].start), item[1])):
        begin, end = max(done, offset(span.start)), max(done, offset(span.end))
        html.append(e(c.source[done:begin]))
        style = f"background:{COLOURS[(n - 1) % len(COLOURS)]};color:inherit;text-decoration:none"
        html.append(
            f"<a id='{side}{n}' href='#{other}{n}' style='{style}' title='region {n}'>"
            f"{e(c.source[begin:end])}</a>"
        )
        done = end
    html.append(e(c.source[done:]))
    return "".join(html)


def _where(span: Span) -> str:
    first, last = span.start[0], span.end[0]
    lines = f"line {first}" if first == last else f"lines {first}–{last}"
    return f"cell {span.cell + 1}, {lines}"


def _replace(path: Path, text: str) -> None:
    """Write the file whole or not at all; a lone surrogate (JSON can carry one) is written
    as a replacement character instead of failing the report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", errors="replace")
    os.replace(tmp, path)
