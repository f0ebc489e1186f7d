"""make_optimizer(model) -> the torch.optim.Optimizer the student chose.

Judged by what it does, which the grader can observe, not by what it says it is: the
grader's own small net takes one step with it in the kernel, its parameters before and
after come back as arrays, and the grader decides. Every trainable tensor must move and
the frozen layer must not.
"""

import numpy as np
import pytest
from cifar10_support import kernel_code

RUN = kernel_code("""
before, after = one_step(student["make_optimizer"])
result = {"names": sorted(before), "before": [before[n] for n in sorted(before)],
          "after": [after[n] for n in sorted(before)]}
""")
TRAINABLE = ("body.weight", "body.bias", "head.weight", "head.bias")
FROZEN = ("frozen.weight", "frozen.bias")
SHAPES = {
    "body.weight": (16, 8), "body.bias": (16,), "frozen.weight": (16, 16),
    "frozen.bias": (16,), "head.weight": (10, 16), "head.bias": (10,),
}  # fmt: skip


def _step(student):
    got = student.run(RUN, label="one step of make_optimizer(model)")
    names = got.get("names") if isinstance(got, dict) else None
    assert names == sorted(SHAPES), "The step did not report the model's parameters."
    before, after = got.get("before"), got.get("after")
    assert isinstance(before, list) and isinstance(after, list), (
        "The step did not report the parameters' values."
    )
    assert len(before) == len(after) == len(names), "The step reported too few parameters."
    arrays = {}
    for n, b, a in zip(names, before, after, strict=True):
        for value in (b, a):
            assert isinstance(value, np.ndarray) and value.shape == SHAPES[n], (
                f"The step reported parameter {n} with the wrong shape."
            )
        arrays[n] = (np.asarray(b, np.float64), np.asarray(a, np.float64))
    return arrays


@pytest.mark.points(5)
def test_make_optimizer_returns_an_optimizer_over_every_trainable_parameter(student):
    """Does one step of the optimizer make_optimizer(model) returns change every trainable parameter of the model, and no frozen one?"""
    arrays = _step(student)
    still = [n for n in TRAINABLE if np.array_equal(*arrays[n])]
    assert not still, (
        f"After one optimizer.step(), {len(still)} of {len(TRAINABLE)} trainable parameter "
        f"tensors did not change ({', '.join(still)}): return a torch.optim optimizer over "
        "model.parameters() with a learning rate above 0."
    )
    moved = [n for n in FROZEN if not np.array_equal(*arrays[n])]
    assert not moved, (
        f"After one optimizer.step(), the frozen parameters {', '.join(moved)} changed: "
        "parameters with requires_grad=False must stay as they are."
    )
    finite = all(np.isfinite(arrays[n][1]).all() for n in TRAINABLE)
    assert finite, "After one optimizer.step(), the parameters hold NaN or infinity."
