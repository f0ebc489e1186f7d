"""The common shape of a check, declared once: call the student's function on cases and
compare with the truth, the reference solution's answer (and PyTorch's, when the check
asks both to agree), reporting the smallest failing input.

    softmax = Question(
        "softmax",
        lambda ref, logits: agree(
            ref.softmax(logits), torch.softmax(torch.from_numpy(logits), dim=1).numpy(),
            what="softmax",
        ),
    )

    @pytest.mark.points(1.5)
    def test_softmax_matches_pytorch(student, reference, rng):
        '''Does softmax match PyTorch's softmax over each row?'''
        softmax.check(student, reference, [Case((rng.normal(size=(1, 3)),), "one row")])

Parameter names in feedback come from the reference solution's signature. Every truth
is computed in the grader's process; the kernel only ever sends data back.

Two properties hold for any function of any assignment and are checked the same way
everywhere (the plugin offers them as fixtures): :func:`inputs_left_alone` and
:func:`deterministic`.

A check's calls go to the kernel in one request (see :mod:`autograder.exchange`), and a
question's truth is computed once per grader process for each input: a check's inputs are
seeded from its id, so every student of a batch gets the same ones, and the truth (the
reference solution and PyTorch) is a pure function of them. It is remembered only when it
left its inputs as they were, and every student gets a copy of it; :mod:`autograder.truths`
keeps the remembered truths on disk for the grader's next process.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checking import Case, Mismatch, check_cases, expect_array


def same(got: Any, expected: Any) -> None:
    """The whole result against the truth (arrays, float64 or float32 tolerance)."""
    expect_array(got, expected, what="The result")


def parameters_of(reference: Any, name: str) -> list[str]:
    """The parameter names of the reference solution's ``name`` (empty when it has none)."""
    try:
        return list(inspect.signature(getattr(reference, name)).parameters)
    except (AttributeError, TypeError, ValueError):
        return []


@dataclass(frozen=True)
class Question:
    """One graded function: its name, its truth, and how a result is compared with it.

    ``truth(reference, *args, **kwargs)`` gives the expected result for one case;
    ``compare(got, expected)`` raises :class:`~autograder.checking.Mismatch` when they differ.
    """

    name: str
    truth: Callable[..., Any]
    compare: Callable[[Any, Any], None] = same

    def check(
        self,
        student: Any,
        reference: Any,
        cases: Sequence[Case],
        compare: Callable[[Any, Any], None] | None = None,
        *,
        truth: Callable[..., Any] | None = None,
    ) -> None:
        """Call the student's function on every case, smallest first; the first that
        differs from the truth fails the check with that input in full. ``compare`` and
        ``truth`` (``truth(*args, **kwargs)``, e.g. a worked example's known answer)
        replace the question's own for this check."""
        name = self.name
        check_cases(
            getattr(student, name),
            name,
            list(cases),
            truth or remembered(self.truth, reference),
            compare or self.compare,
            parameters=parameters_of(reference, name),
            call_all=(
                (lambda ordered: student.call_each(name, [(c.args, c.kwargs) for c in ordered]))
                if batches(student)
                else None
            ),
        )

    def expected(self, reference: Any, *args: Any, **kwargs: Any) -> Any:
        """The truth for one input, outside :meth:`check` (remembered like the checks')."""
        return remembered(self.truth, reference)(*args, **kwargs)


def batches(student: Any) -> bool:
    """Whether the proxy sends several calls in one request (the grader's own does; a
    stand-in that wraps it, or one a test writes, may not)."""
    return callable(getattr(type(student), "call_each", None))


TRUTHS: dict[tuple[Any, ...], Any] = {}
"""The truths computed so far in this process, by question and input."""
MAX_TRUTHS = 4096
"""Beyond this many, truths are computed without being remembered (inputs that depend on
what students sent back differ from student to student)."""


def remembered(truth: Callable[..., Any], reference: Any) -> Callable[..., Any]:
    """``truth(reference, *args, **kwargs)``, computed once per process for each input.

    Only a plain function is remembered (one with no closure: what it computes depends on
    its arguments alone), and only for inputs of plain data (arrays, numbers, strings and
    containers of them); anything else is computed every time.
    """
    code = getattr(truth, "__code__", None)
    if code is None or getattr(truth, "__closure__", None):
        return lambda *args, **kwargs: truth(reference, *args, **kwargs)
    where = (
        code.co_filename,
        code.co_firstlineno,
        code.co_name,
        getattr(reference, "__file__", ""),
    )

    def cached(*args: Any, **kwargs: Any) -> Any:
        key = fingerprint((args, kwargs))
        if key is not None and (where, key) in TRUTHS:
            return copy.deepcopy(TRUTHS[(where, key)])
        value = truth(reference, *args, **kwargs)
        if key is not None and len(TRUTHS) < MAX_TRUTHS and fingerprint((args, kwargs)) == key:
            TRUTHS[(where, key)] = copy.deepcopy(value)
        return value

    return cached


def fingerprint(value: Any) -> bytes | None:
    """A digest of plain data (exact values, types, shapes and order); None for anything else."""
    digest = hashlib.blake2b(digest_size=20)
    return digest.digest() if _feed(digest, value) else None


def _feed(digest: Any, value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
        return True
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        digest.update(f"{value.dtype.str}:{value.item()!r};".encode())
        return True
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray or value.dtype.kind not in "biufc" or value.dtype.fields:
            return False
        digest.update(f"{value.dtype.str}{value.shape};".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
        return True
    if isinstance(value, (tuple, list)):
        digest.update(f"{type(value).__name__}({len(value)};".encode())
        return all(_feed(digest, v) for v in value)
    if isinstance(value, dict):
        digest.update(f"dict({len(value)};".encode())
        return all(
            isinstance(k, str) and _feed(digest, k) and _feed(digest, v) for k, v in value.items()
        )
    return False


def inputs_left_alone(student: Any, name: str, args: tuple, parameters: Sequence[str]) -> None:
    """Fail when calling ``name(*args)`` changes an argument in place.

    The kernel sends the arguments back as the call left them; the comparison with what
    the grader sent happens here.
    """
    label = f"{name}({', '.join(parameters[: len(args)])})"
    _, after = student.call_and_inputs(name, *args)
    changed = [
        parameters[i] if i < len(parameters) else f"argument {i + 1}"
        for i, (before, now) in enumerate(zip(args, after, strict=True))
        if not equal_data(before, now)
    ]
    if changed:
        raise Mismatch(
            f"{label} changed its input {' and '.join(changed)} in place. A function must not "
            "modify its inputs: work on a copy (e.g. x = x.copy()) or build new arrays; "
            "operations such as x -= ..., x[...] = ... or np.add.at(x, ...) on an input change "
            "the caller's array."
        )


def deterministic(
    student: Any, name: str, args: tuple, compare: Callable[[Any, Any], None] = same
) -> None:
    """Fail when two calls of ``name(*args)`` (from the same random seed) disagree."""
    if batches(student):
        replies = student.call_each(name, [(args, {}), (args, {})])
        first, second = replies[0].get(), replies[1].get()
    else:
        first = getattr(student, name)(*args)
        second = getattr(student, name)(*args)
    try:
        compare(second, first)
    except Mismatch as mismatch:
        raise Mismatch(
            f"{name} gave two different results for the same input:\n{mismatch}"
        ) from None


def equal_data(before: Any, after: Any) -> bool:
    """Whether two values are the same data: arrays of one shape, dtype and exact values
    (NaN equal to NaN), dicts with the same keys, sequences item by item."""
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and after.dtype == before.dtype
            and bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        )
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and set(after) == set(before)
            and all(equal_data(before[k], after[k]) for k in before)
        )
    if isinstance(before, (list, tuple)):
        return (
            isinstance(after, (list, tuple))
            and len(after) == len(before)
            and all(equal_data(b, a) for b, a in zip(before, after, strict=True))
        )
    return True
