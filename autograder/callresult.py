"""What one call of a student's function came to, as typed results.

:mod:`autograder.wire` reads a call's result files into one of these; the proxy
(:mod:`autograder.proxy`) turns each into the call's value or the
:class:`~autograder.errors.StudentError` it came to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Returned:
    """The call returned ``value`` (and, when asked, its arguments as it left them)."""

    value: Any
    args_after: list[Any] | None = None


@dataclass(frozen=True)
class Missing:
    """The notebook does not define the name (``name``: the one a snippet looked up)."""

    name: str | None = None


@dataclass(frozen=True)
class NotCallable:
    """The name is bound to something that is not a function (its type's name)."""

    kind: str


@dataclass(frozen=True)
class Interrupted:
    """The call was interrupted (its time limit)."""


@dataclass(frozen=True)
class HelperFailed:
    """The helper could not read the call's arguments in the kernel (its sentence)."""

    reason: str


@dataclass(frozen=True)
class TooLarge:
    """The result was larger than the limit."""


@dataclass(frozen=True)
class Raised:
    """The student's code raised; the exception as text, bounded."""

    type_name: str
    bases: list[str]
    """The exception's class and its bases, by name (``type(e).__mro__``)."""
    message: str
    where: str


CallResult = Returned | Missing | NotCallable | Interrupted | HelperFailed | TooLarge | Raised
