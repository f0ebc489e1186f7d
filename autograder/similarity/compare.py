"""Comparing a class's notebooks: fingerprints that the template or much of the class has are
removed, every pair is scored, and the pairs at or above the threshold get their matching
regions.

A pair's **score** is the number of fingerprints the two notebooks share divided by the
number of fingerprints of the one that has fewer (fingerprints counted once each, after the
removals): 1.0 when the smaller notebook's own code all appears in the other, whoever
copied from whom.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from autograder import intake
from autograder.errors import GraderError, Rejected
from autograder.similarity.fingerprints import Cell, Code, Fingerprint, code_cells, fingerprint

MIN_COMMON = 3
"""A fingerprint must be in at least this many notebooks to count as the class's common
code: what two notebooks alone share is never called common, however small the class."""


@dataclass(frozen=True)
class Settings:
    """How notebooks are compared; the defaults are the course's."""

    k: int = 15
    """Tokens per k-gram: about one line of code (``x_pad = np.pad(x, ((0, 0), (0, 0),``
    is 16 tokens); shorter runs match between unrelated notebooks by chance."""
    window: int = 8
    """k-grams per winnowing window: every shared run of ``k + window - 1`` = 22 tokens (a
    line and a half) is found, and about 2 / (window + 1) = 22 % of k-grams are kept."""
    threshold: float = 0.5
    """Pairs whose score is at least this are reported."""
    common: float = 0.5
    """Fingerprints in more than this share of the notebooks (and in at least
    ``MIN_COMMON``) are the course's idioms and are ignored; 1.0 ignores none."""
    min_shared: int = 10
    """Pairs sharing fewer fingerprints than this are not reported whatever their score
    (two nearly empty notebooks that share one short function)."""

    def __post_init__(self) -> None:
        if self.k < 1 or self.window < 1 or self.min_shared < 0:
            raise GraderError("k and window must be at least 1 and min_shared at least 0")
        if not 0.0 <= self.threshold <= 1.0 or not 0.0 < self.common <= 1.0:
            raise GraderError("the threshold must be in [0, 1] and the common share in (0, 1]")


@dataclass(frozen=True)
class Span:
    """A region of one notebook: its cell's index, and (line, column) start and end in the
    cell's source, lines counted from 1."""

    cell: int
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True)
class Match:
    """A region of the first notebook of a pair and its counterpart in the second."""

    a: Span
    b: Span
    tokens: int
    """The length of the first notebook's region, in normalized tokens."""


@dataclass(frozen=True)
class Pair:
    """Two notebooks, by their keys (``a`` sorts first), and what they share."""

    a: str
    b: str
    score: float
    shared: int
    fingerprints_a: int
    fingerprints_b: int
    matches: tuple[Match, ...] = field(default=(), compare=False)

    @property
    def page(self) -> str:
        """The file name of the pair's page: a hash of the two keys, safe whatever they are."""
        digest = hashlib.sha256(f"{self.a}\0{self.b}".encode("utf-8", "surrogatepass"))
        return f"pair-{digest.hexdigest()[:16]}.html"


def analyze(
    submissions: Sequence[tuple[str, Path]],
    template: Path | None = None,
    *,
    threshold: float = Settings.threshold,
    common: float = Settings.common,
    min_shared: int = Settings.min_shared,
    k: int = Settings.k,
    window: int = Settings.window,
    skipped: list[tuple[str, str]] | None = None,
) -> list[Pair]:
    """The pairs of submissions, as (key, path), whose score is at least ``threshold`` and
    who share at least ``min_shared`` fingerprints, best first, with their matching regions.

    Fingerprints of the template (every k-gram of its code) and those in more than
    ``common`` of the submissions are removed first. A file that is not a readable notebook
    is left out and, when ``skipped`` is given, appended to it as (key, why). An unreadable
    template raises :class:`~autograder.errors.Rejected`.
    """
    settings = Settings(k, window, threshold, common, min_shared)
    ignored = read(template, settings).kgrams if template is not None else frozenset()
    codes = read_all(submissions, settings, skipped, ignore=ignored)
    common_code = common_hashes(codes, settings.common)
    kept = {key: _kept(code, common_code) for key, code in codes.items()}
    found = []
    for a, b in combinations(sorted(kept), 2):
        shared = kept[a].keys() & kept[b].keys()
        smaller = min(len(kept[a]), len(kept[b]))
        score = len(shared) / smaller if smaller else 0.0
        if shared and score >= settings.threshold and len(shared) >= settings.min_shared:
            matches = _matches(kept[a], kept[b], shared, settings.k)
            found.append(Pair(a, b, score, len(shared), len(kept[a]), len(kept[b]), matches))
    return sorted(found, key=lambda p: (-p.score, -p.shared, p.a, p.b))


def read(path: Path, settings: Settings, ignore: frozenset[int] = frozenset()) -> Code:
    """A notebook's code and fingerprints (less the k-grams in ``ignore``), or Rejected
    with a sentence saying why not."""
    path = Path(path)
    nb, _ = intake.parse(path.name, intake.read_bytes(path))
    return fingerprint(code_cells(nb), k=settings.k, window=settings.window, ignore=ignore)


def read_all(
    submissions: Sequence[tuple[str, Path]],
    settings: Settings,
    skipped: list[tuple[str, str]] | None = None,
    *,
    ignore: frozenset[int] = frozenset(),
) -> dict[str, Code]:
    """Every readable submission's code by key; the others go to ``skipped``."""
    codes = {}
    for key, path in submissions:
        try:
            codes[key] = read(path, settings, ignore)
        except Rejected as why:
            if skipped is not None:
                skipped.append((key, str(why)))
    return codes


def cells_of(path: Path) -> tuple[Cell, ...]:
    """A notebook's code cells as written, or none when it cannot be read."""
    try:
        return code_cells(intake.parse(Path(path).name, intake.read_bytes(Path(path)))[0])
    except Rejected:
        return ()


def common_hashes(codes: dict[str, Code], share: float) -> set[int]:
    """The k-gram hashes in more than ``share`` of the notebooks (and in ``MIN_COMMON``)."""
    counts = Counter(h for code in codes.values() for h in code.kgrams)
    above = max(share * len(codes), MIN_COMMON - 1)
    return {h for h, n in counts.items() if n > above}


def _kept(code: Code, ignored: set[int]) -> dict[int, list[Fingerprint]]:
    """The notebook's fingerprints left after the removals, by hash."""
    kept: dict[int, list[Fingerprint]] = {}
    for fp in code.fingerprints:
        if fp.hash not in ignored:
            kept.setdefault(fp.hash, []).append(fp)
    return kept


def _matches(
    kept_a: dict[int, list[Fingerprint]],
    kept_b: dict[int, list[Fingerprint]],
    shared: set[int],
    k: int,
) -> tuple[Match, ...]:
    """The shared fingerprints joined into regions: fingerprints whose k-grams overlap or
    touch in both notebooks, in the same order and the same cells, make one region."""
    points = sorted(
        (pair for h in shared for pair in zip(kept_a[h], kept_b[h], strict=False)),
        key=lambda pair: (pair[0].position, pair[1].position),
    )
    runs: list[list[Fingerprint]] = []  # the first and last fingerprint, in a and in b
    for fa, fb in points:
        if runs:
            run = runs[-1]
            if (
                fa.position - run[1].position <= k
                and 0 < fb.position - run[3].position <= k
                and fa.cell == run[1].cell
                and fb.cell == run[3].cell
            ):
                run[1], run[3] = fa, fb
                continue
        runs.append([fa, fa, fb, fb])
    return tuple(
        Match(
            Span(a0.cell, a0.start, a1.end),
            Span(b0.cell, b0.start, b1.end),
            a1.position + k - a0.position,
        )
        for a0, a1, b0, b1 in runs
    )
