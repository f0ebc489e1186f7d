"""A notebook's code as winnowing fingerprints (Schleimer, Wilkerson and Aiken, "Winnowing:
local algorithms for document fingerprinting", SIGMOD 2003; MOSS and Dolos use it).

The code cells become a stream of normalized tokens: a name the student chose becomes ``V``,
a number ``N``, a string ``S``; comments, whitespace, line breaks, ``;`` and trailing commas
disappear. Python's keywords stay, and so do the names of common modules (``np``, ``torch``,
``nn``, ``F``, ...) with the dotted names read from them (``np.einsum``,
``np.lib.stride_tricks.sliding_window_view``): a student cannot rename those. Every run of
``k`` tokens inside a cell (a k-gram) is hashed, and winnowing keeps the smallest hash of
every ``window`` consecutive k-grams: two notebooks that share a run of at least
``k + window - 1`` normalized tokens share a fingerprint, runs shorter than ``k`` never do.

Code is only read, never run. Lines that start with ``%`` or ``!`` (IPython magics, shell
commands) are left out, and cells under a cell magic of another language (``%%bash``) too;
code that Python's tokenizer refuses is read line by line, keeping what each line yields.
"""

from __future__ import annotations

import functools
import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass
from typing import NamedTuple

from nbformat import NotebookNode

MODULES = frozenset(
    {"np", "numpy", "torch", "nn", "F", "optim", "math", "scipy", "plt", "matplotlib",
     "torchvision", "transforms", "random", "time", "os", "sys", "collections", "itertools",
     "functools"}
)  # fmt: skip
"""Names kept as they are: the course's modules and their usual aliases."""

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
"""Cell magics whose body is Python; any other (``%%bash``, ``%%html``) hides its cell."""

_SKIPPED = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
     tokenize.ENDMARKER, tokenize.ENCODING}
)  # fmt: skip
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12 splits f-strings
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


class Token(NamedTuple):
    """A normalized token and where it was written: the cell's index in the notebook and
    its (line, column) start and end in the cell's source, lines counted from 1."""

    text: str
    cell: int
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True)
class Cell:
    """A code cell: its index among the notebook's cells and its source as written."""

    index: int
    source: str


class Fingerprint(NamedTuple):
    """A winnowed k-gram: its hash, the index of its first token among the notebook's
    tokens, its cell's index, and where it starts and ends in the cell's source."""

    hash: int
    position: int
    cell: int
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True)
class Code:
    """A notebook's code, ready to compare (its tokens are not kept: a class's would take
    hundreds of megabytes)."""

    kgrams: frozenset[int]
    """The hash of every k-gram: what the class "has", to find its common code."""
    fingerprints: tuple[Fingerprint, ...]


def code_cells(nb: NotebookNode) -> tuple[Cell, ...]:
    """The notebook's code cells (other cells are prose or output)."""
    cells = []
    for index, cell in enumerate(nb.get("cells") or []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(line) for line in source)
        cells.append(Cell(index, source if isinstance(source, str) else ""))
    return tuple(cells)


def fingerprint(
    cells: tuple[Cell, ...], *, k: int, window: int, ignore: frozenset[int] = frozenset()
) -> Code:
    """The cells' k-gram hashes and winnowed fingerprints, less those in ``ignore`` (the
    template's k-grams: fingerprints are chosen on the whole text, then removed)."""
    kgrams: set[int] = set()
    fingerprints: list[Fingerprint] = []
    position = 0
    for cell in cells:
        tokens = normalize(lex(python_of(cell.source)), cell.index)
        hashes = kgram_hashes([t.text for t in tokens], k)
        kgrams.update(hashes)
        for i in winnow(hashes, window):
            if hashes[i] not in ignore:
                at = Fingerprint(hashes[i], position + i, cell.index, tokens[i].start,
                                 tokens[i + k - 1].end)  # fmt: skip
                fingerprints.append(at)
        position += len(tokens)
    return Code(frozenset(kgrams - ignore), tuple(fingerprints))


def python_of(source: str) -> str:
    """The cell's Python: magic and shell lines blanked (line numbers stay those of the
    cell), or nothing for a cell under a cell magic of another language."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and first[2:].split(" ")[0] not in PYTHON_CELL_MAGICS:
        return ""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def normalize(lexed: list[tokenize.TokenInfo], cell: int) -> list[Token]:
    """Python tokens to normalized ones (see the module's docstring)."""
    out: list[Token] = []
    kept = dotted = False  # the last token was a kept name; the last two were one and a "."
    fstring_depth, fstring_start = 0, (0, 0)
    for kind, text, start, end, _ in lexed:
        if kind == _FSTRING_START:
            fstring_depth += 1
            fstring_start = start if fstring_depth == 1 else fstring_start
            continue
        if fstring_depth:
            if kind == _FSTRING_END:
                fstring_depth -= 1
                if not fstring_depth:
                    out.append(Token("S", cell, fstring_start, end))
            continue
        if kind in _SKIPPED or not text.strip() or text == ";":
            continue
        if kind == tokenize.NAME:
            name = keyword.iskeyword(text) or text in MODULES or dotted
            kept, dotted = name and not keyword.iskeyword(text), False
            out.append(Token(text if name else "V", cell, start, end))
            continue
        dotted, kept = kept and text == ".", False
        if kind == tokenize.NUMBER:
            text = "N"
        elif kind == tokenize.STRING:
            text = "S"
        elif text in (")", "]", "}") and out and out[-1].text == ",":
            out.pop()  # a trailing comma, as formatters add when they split a call
        out.append(Token(text, cell, start, end))
    return out


def winnow(hashes: list[int], window: int) -> list[int]:
    """Robust winnowing: the index of the smallest hash of every ``window`` consecutive
    hashes (on a tie the one already chosen, else the rightmost), each index once."""
    if not hashes:
        return []
    window = min(window, len(hashes))
    chosen: list[int] = []
    for left in range(len(hashes) - window + 1):
        block = hashes[left : left + window]
        smallest = min(block)
        if chosen and chosen[-1] >= left and hashes[chosen[-1]] == smallest:
            continue
        chosen.append(left + window - 1 - block[::-1].index(smallest))
    return chosen


def kgram_hashes(texts: list[str], k: int) -> list[int]:
    """The hash of every run of ``k`` tokens, rolled along (Karp and Rabin): stable across
    runs and machines (Python's ``hash`` of a string is not), so reports do not change."""
    if len(texts) < k:
        return []
    ids = [_token_id(text) for text in texts]
    top = pow(_BASE, k - 1, _PRIME)
    h = 0
    for x in ids[:k]:
        h = (h * _BASE + x) % _PRIME
    hashes = [h]
    for i in range(k, len(ids)):
        h = ((h - ids[i - k] * top) * _BASE + ids[i]) % _PRIME
        hashes.append(h)
    return hashes


_BASE, _PRIME = 1_000_003, (1 << 61) - 1


@functools.lru_cache(maxsize=1 << 16)
def _token_id(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _PRIME


def lex(source: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of the source; when the tokenizer refuses it, the tokens of each
    line on its own (what a line yields before its error is kept)."""
    whole = _tokens(source)
    if whole is not None:
        return whole
    found = []
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.lstrip()
        shift = len(line) - len(stripped)
        for tok in _tokens(stripped, partial=True) or []:
            found.append(
                tok._replace(start=(number, tok.start[1] + shift), end=(number, tok.end[1] + shift))
            )
    return found


def _tokens(source: str, *, partial: bool = False) -> list[tokenize.TokenInfo] | None:
    got: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            got.append(tok)
    except (tokenize.TokenError, SyntaxError, ValueError):  # IndentationError included
        return got if partial else None
    return got
