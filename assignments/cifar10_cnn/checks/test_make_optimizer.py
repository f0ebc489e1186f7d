"""make_optimizer(model) -> the torch.optim.Optimizer the student chose."""

import pytest
from cifar10_support import kernel_code

RUN = kernel_code("""
import torch
model = FrozenPartNet()
optimizer = student["make_optimizer"](model)
ids = {id(p) for group in getattr(optimizer, "param_groups", []) for p in group["params"]}
result = {
    "is_optimizer": isinstance(optimizer, torch.optim.Optimizer),
    "type": type(optimizer).__module__ + "." + type(optimizer).__name__,
    "missing": sum(1 for p in model.parameters() if p.requires_grad and id(p) not in ids),
    "trainable": sum(1 for p in model.parameters() if p.requires_grad),
}
""")


@pytest.mark.points(5)
def test_make_optimizer_returns_an_optimizer_over_every_trainable_parameter(student):
    """Does make_optimizer(model) return a torch.optim.Optimizer that updates every trainable parameter?"""
    got = student.run(RUN, label="make_optimizer(model)")
    assert got["is_optimizer"], (
        f"make_optimizer returned a {got['type']}, not a torch.optim.Optimizer."
    )
    assert got["missing"] == 0, (
        f"The optimizer leaves out {got['missing']} of {got['trainable']} trainable parameter "
        "tensors; pass model.parameters()."
    )
