"""Text from a submission, made safe for the medium it is shown in.

Names, messages and outputs come from the student's notebook and kernel: in a
terminal a carriage return or an escape sequence could rewrite what staff see,
in Markdown a line could become a heading or a fake score. Every such text goes
through one of these before it is written.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and newline (CR, ESC and the C1 set among them)."""
_MARKDOWN = re.compile(r"([\\`*\[\]<>|~])")
"""What could make markup of one line: code, emphasis, links, HTML, table cells (a line
never starts with the text, so headings and lists cannot)."""


def printable(text: object) -> str:
    """One line for a terminal: control characters (and newlines) escaped, visibly."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def clean(text: object) -> str:
    """Text with every control character but tab and newline removed (for blocks)."""
    return _CONTROL.sub("", str(text))


def md_inline(text: object, limit: int = 1000) -> str:
    """Text inside a Markdown line: one line, control characters gone, Markdown's special
    characters escaped (no heading, link, emphasis or table cell can come from it)."""
    one_line = " ".join(clean(text).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", one_line)


def md_block(text: object, info: str = "") -> list[str]:
    """Text as a fenced Markdown block whose fence no line of the text can close."""
    body = clean(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, body, fence]
