"""Small plots for the HTML reports: inline SVG charts and data-URI PNG images.

No plotting library and no JavaScript: every function returns markup to paste
into a page, with every label escaped. Charts scale with their container
(``viewBox`` and ``width: 100%``) and keep their text readable when printed.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Sequence
from html import escape

import numpy as np

BLUE, ORANGE, RED, GREEN, GREY = "#2563eb", "#ea580c", "#dc2626", "#16a34a", "#6b7280"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _hline(x1: float, x2: float, y: float, color: str) -> str:
    return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{color}"/>'


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "middle",
    size: int = 12,
    fill: str = "#374151",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" {extra}>{escape(text)}</text>'
    )


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (about ``count`` of them)."""
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, count)
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _label(v: float) -> str:
    return f"{v:g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}"


def line_chart(
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_range: tuple[float, float] | None = None,
    hline: tuple[float, str] | None = None,
) -> str:
    """Lines over x = 1..n (epochs), with axes, ticks, a legend and an optional dashed line."""
    w, h, left, right, top, bottom = 420, 260, 52, 14, 28, 44
    values = [v for _, ys, _ in series for v in ys if v is not None and math.isfinite(v)]
    n = max((len(ys) for _, ys, _ in series), default=0)
    if y_range:
        lo, hi = y_range
    else:
        lo = min(values + ([hline[0]] if hline else []), default=0.0)
        hi = max(values + ([hline[0]] if hline else []), default=1.0)
        lo = min(0.0, lo)
    yt = ticks(lo, hi)
    lo, hi = yt[0], yt[-1]
    pw, ph = w - left - right, h - top - bottom

    def px(i: float) -> float:
        return left + (pw * (i - 1) / (n - 1) if n > 1 else pw / 2)

    def py(v: float) -> float:
        return top + ph * (1 - (v - lo) / ((hi - lo) or 1.0))

    body = [_text(w / 2, 16, title, size=13, fill="#111827", extra='font-weight="600"')]
    for v in yt:
        body.append(_hline(left, w - right, py(v), "#e5e7eb"))
        body.append(_text(left - 6, py(v) + 4, _label(v), anchor="end", size=11))
    step = max(1, math.ceil(n / 10))
    for i in range(1, n + 1, step):
        body.append(_text(px(i), h - bottom + 16, str(i), size=11))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{h - bottom}" stroke="#9ca3af"/>')
    body.append(_hline(left, w - right, h - bottom, "#9ca3af"))
    body.append(_text(left + pw / 2, h - 8, x_label, size=12))
    mid = top + ph / 2
    body.append(_text(14, mid, y_label, size=12, extra=f'transform="rotate(-90 14 {mid:.1f})"'))
    if hline:
        y = py(hline[0])
        body.append(_hline(left, w - right, y, RED).replace("/>", ' stroke-dasharray="6 4"/>'))
        body.append(_text(w - right - 4, y - 5, hline[1], anchor="end", size=11, fill=RED))
    for k, (name, ys, color) in enumerate(series):
        points = [
            (px(i + 1), py(v)) for i, v in enumerate(ys) if v is not None and math.isfinite(v)
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points]
        if len(series) > 1:
            body.append(
                f'<rect x="{left + 8 + 110 * k}" y="{top + 4}" width="10" height="10" '
                f'fill="{color}"/>'
            )
            body.append(_text(left + 22 + 110 * k, top + 13, name, anchor="start", size=11))
    return _svg(w, h, title, body)


def heatmap(
    matrix: Sequence[Sequence[float]],
    labels: Sequence[str],
    *,
    title: str,
    row_title: str = "actual",
    col_title: str = "predicted",
) -> str:
    """A confusion matrix: each cell shaded by its share of its row, with the count in it."""
    m = np.asarray(matrix, dtype=float)
    n = m.shape[0]
    cell, left, top = 34, 96, 92
    w, h = left + cell * n + 10, top + cell * n + 12
    share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    body = [
        _text(w / 2, 16, title, size=13, fill="#111827", extra='font-weight="600"'),
        _text(left + cell * n / 2, 34, f"{col_title} →", size=12),
    ]
    for j, name in enumerate(labels[:n]):
        x = left + cell * j + cell / 2
        body.append(
            _text(
                x,
                top - 6,
                name[:10],
                anchor="start",
                size=11,
                extra=f'transform="rotate(-50 {x:.1f} {top - 6})"',
            )
        )
    for i in range(n):
        y = top + cell * i
        body.append(
            _text(
                left - 6,
                y + cell / 2 + 4,
                f"{labels[i][:12] if i < len(labels) else i}",
                anchor="end",
                size=11,
            )
        )
        for j in range(n):
            s = float(share[i, j])
            color = _blend(s, diagonal=i == j)
            body.append(
                f'<rect x="{left + cell * j}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{color}" stroke="#fff"/>'
            )
            body.append(
                _text(
                    left + cell * j + cell / 2,
                    y + cell / 2 + 4,
                    f"{m[i, j]:g}",
                    size=10,
                    fill="#fff" if s > 0.55 else "#111827",
                )
            )
    body.append(
        _text(
            12,
            top + cell * n / 2,
            f"{row_title} →",
            size=12,
            extra=f'transform="rotate(-90 12 {top + cell * n / 2:.1f})"',
        )
    )
    return _svg(w, h, title, body)


def _blend(s: float, *, diagonal: bool) -> str:
    end = (22, 163, 74) if diagonal else (220, 38, 38)
    r, g, b = (round(255 + (e - 255) * min(1.0, s * 1.4)) for e in end)
    return f"rgb({r},{g},{b})"


def hbars(
    labels: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    max_value: float = 100.0,
    unit: str = " %",
    notes: Sequence[str] | None = None,
) -> str:
    """Horizontal bars per label, one bar per group (e.g. test vs mirrored test images)."""
    bar, gap, left, top = 12, 8, 96, 44
    right = 112 if notes else 52
    per = bar * len(groups) + gap
    w, h = 460, top + per * len(labels) + 24
    pw = w - left - right
    body = [_text(w / 2, 16, title, size=13, fill="#111827", extra='font-weight="600"')]
    for k, (name, _, color) in enumerate(groups):
        body.append(f'<rect x="{left + 150 * k}" y="26" width="10" height="10" fill="{color}"/>')
        body.append(_text(left + 14 + 150 * k, 35, name, anchor="start", size=11))
    for v in ticks(0, max_value, 4):
        x = left + pw * v / max_value
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{h - 20}" stroke="#e5e7eb"/>'
        )
        body.append(_text(x, h - 6, f"{_label(v)}{unit}", size=10, fill=GREY))
    for i, name in enumerate(labels):
        y = top + per * i
        body.append(_text(left - 6, y + per / 2 + 1, name[:14], anchor="end", size=11))
        for k, (_, values, color) in enumerate(groups):
            v = float(values[i]) if i < len(values) and values[i] is not None else 0.0
            bw = max(0.0, pw * min(v, max_value) / max_value)
            yy = y + bar * k
            body.append(
                f'<rect x="{left}" y="{yy}" width="{bw:.1f}" height="{bar - 2}" fill="{color}"/>'
            )
            body.append(
                _text(left + bw + 4, yy + bar - 3, f"{v:.1f}{unit}", anchor="start", size=10)
            )
        if notes and i < len(notes) and notes[i]:
            body.append(_text(w - 4, y + per / 2 + 1, notes[i], anchor="end", size=11, fill=RED))
    return _svg(w, h, title, body)


def histogram(counts: Sequence[int], edges: Sequence[float], *, title: str, x_label: str) -> str:
    """Vertical bars: ``counts[i]`` values fell in [edges[i], edges[i + 1])."""
    w, h, left, right, top, bottom = 460, 240, 40, 12, 28, 42
    pw, ph = w - left - right, h - top - bottom
    yt = [v for v in ticks(0, max(max(counts, default=1), 1), 4) if v == int(v)]
    hi = yt[-1]
    body = [_text(w / 2, 16, title, size=13, fill="#111827", extra='font-weight="600"')]
    for v in yt:
        y = top + ph * (1 - v / hi)
        body.append(_hline(left, w - right, y, "#e5e7eb"))
        body.append(_text(left - 6, y + 4, _label(v), anchor="end", size=11))
    bw = pw / max(1, len(counts))
    for i, c in enumerate(counts):
        bh = ph * c / hi
        x = left + bw * i
        body.append(
            f'<rect x="{x + 1:.1f}" y="{top + ph - bh:.1f}" width="{bw - 2:.1f}" '
            f'height="{bh:.1f}" fill="{BLUE}"/>'
        )
        if c:
            body.append(_text(x + bw / 2, top + ph - bh - 4, str(c), size=11))
    for i, e in enumerate(edges):
        if i % 2 == 0 or len(edges) <= 6:
            body.append(_text(left + bw * i, h - bottom + 15, _label(e), size=11))
    body.append(_hline(left, w - right, top + ph, "#9ca3af"))
    body.append(_text(left + pw / 2, h - 8, x_label, size=12))
    return _svg(w, h, title, body)


def png_data_uri(rgb: np.ndarray) -> str:
    """A ``data:image/png`` URI of an (H, W, 3) uint8 image (a minimal PNG encoder)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def filter_images(filters: object) -> list[str]:
    """First-layer filters (F, 3, k, k) as PNG URIs, each min-max scaled on its own."""
    w = np.asarray(filters, dtype=np.float64)
    if w.ndim != 4 or w.shape[1] != 3 or not np.isfinite(w).all():
        return []
    out = []
    for f in w:
        lo, hi = float(f.min()), float(f.max())
        scaled = (f - lo) / (hi - lo) if hi > lo else np.full_like(f, 0.5)
        out.append(png_data_uri(np.round(255 * scaled.transpose(1, 2, 0))))
    return out
