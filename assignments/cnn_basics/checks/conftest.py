"""What several cnn_basics checks share: the "leaves its inputs alone" test, as a fixture.

No checks live here; each question's checks are in its own ``test_<question>.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autograder.checking import Mismatch

# Runs in the student's kernel: call the function on deep copies of the inputs, then
# report, input by input, whether each copy still equals the original.
_UNCHANGED = """
import copy
import numpy as np


def _same(after, before):
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and after.shape == before.shape
                and bool(np.array_equal(after, before)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and set(after) == set(before)
                and all(_same(after[k], before[k]) for k in before))
    return True


_args = copy.deepcopy(inputs["args"])
student[inputs["name"]](*_args)
result = [_same(a, b) for a, b in zip(_args, inputs["args"])]
"""


@pytest.fixture
def leaves_inputs_alone(student: Any) -> Callable[[str, tuple, list[str]], None]:
    """``leaves_inputs_alone(name, args, parameters)``: fail if the call changes an input."""

    def check(name: str, args: tuple, parameters: list[str]) -> None:
        label = f"{name}({', '.join(parameters[: len(args)])})"
        same = student.run(_UNCHANGED, label=label, function=name, name=name, args=list(args))
        changed = [p for p, ok in zip(parameters, same, strict=False) if not ok]
        if changed:
            which = " and ".join(changed)
            raise Mismatch(
                f"{label} changed its input {which} in place. A function must not modify its "
                "inputs: work on a copy (e.g. x = x.copy()) or build new arrays; operations "
                "such as x -= ..., x[...] = ... or np.add.at(x, ...) on an input change "
                "the caller's array."
            )

    return check
