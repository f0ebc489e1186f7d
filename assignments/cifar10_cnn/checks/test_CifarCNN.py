"""CifarCNN(): an nn.Module built with no arguments, (N, 3, 32, 32) -> (N, 10) logits."""

import numpy as np
import pytest

FORWARD = """
import torch
torch.manual_seed(0)
model = student["CifarCNN"]()
model.eval()
shapes, finite = [], []
with torch.no_grad():
    for n in inputs["sizes"]:
        out = model(torch.randn(n, 3, 32, 32))
        shapes.append(tuple(out.shape))
        finite.append(bool(torch.isfinite(out).all()))
result = {"shapes": shapes, "finite": finite}
"""


@pytest.mark.points(6)
def test_CifarCNN_maps_images_to_ten_logits(student):
    """Does CifarCNN() map a batch of (N, 3, 32, 32) images to (N, 10) finite logits?"""
    sizes = [1, 4, 7]
    got = student.run(FORWARD, label="CifarCNN()(torch.randn(N, 3, 32, 32))", sizes=sizes)
    expected = [(n, 10) for n in sizes]
    assert got["shapes"] == expected, (
        f"CifarCNN()(x) gave outputs of shapes {got['shapes']} for N = {sizes}; expected {expected}."
    )
    assert all(got["finite"]), "CifarCNN()(x) returned nan or inf for normal random input."


PARAMETERS = """
model = student["CifarCNN"]()
result = [(list(p.shape), bool(p.requires_grad)) for p in model.parameters()]
"""


@pytest.mark.points(3)
def test_CifarCNN_has_trainable_parameters(student):
    """Does CifarCNN() have trainable parameters?"""
    params = student.run(PARAMETERS, label="CifarCNN().parameters()")
    trainable = sum(int(np.prod(shape)) for shape, grad in params if grad)
    assert trainable > 0, "CifarCNN() has no trainable parameters, so it cannot learn."


DEPENDS = """
import torch
torch.manual_seed(0)
model = student["CifarCNN"]()
model.eval()
with torch.no_grad():
    a = model(torch.randn(4, 3, 32, 32))
    b = model(torch.randn(4, 3, 32, 32))
result = float((a - b).abs().max())
"""


@pytest.mark.points(3)
def test_CifarCNN_output_depends_on_the_image(student):
    """Do different images give different logits (no fixed answer)?"""
    spread = student.run(DEPENDS, label="CifarCNN()(x) on two different batches")
    assert spread > 1e-6, "CifarCNN() gives the same logits whatever the image; it cannot classify."


TRAIN_MODE = """
import torch
torch.manual_seed(0)
model = student["CifarCNN"]()
model.train()
x = torch.randn(8, 3, 32, 32)
out = model(x)
loss = torch.nn.functional.cross_entropy(out, torch.arange(8) % 10)
loss.backward()
result = {
    "shape": tuple(out.shape),
    "grads": sum(p.grad is not None for p in model.parameters() if p.requires_grad),
    "trainable": sum(1 for p in model.parameters() if p.requires_grad),
}
"""


@pytest.mark.points(3)
@pytest.mark.hidden
def test_CifarCNN_trains_in_training_mode(student):
    """Does a training-mode forward and backward pass reach every trainable parameter?"""
    got = student.run(TRAIN_MODE, label="CifarCNN() forward and backward in training mode")
    assert got["shape"] == (8, 10), (
        f"In training mode the output has shape {got['shape']}; expected (8, 10)."
    )
    assert got["grads"] == got["trainable"], (
        f"After loss.backward() only {got['grads']} of {got['trainable']} trainable parameters have "
        "a gradient: part of the model is not used in forward()."
    )
