"""Helpers of the cifar10_cnn checks (grader side). Not a check module."""

from pathlib import Path

import numpy as np
import torch

SOURCE = Path(__file__).with_name("grader_models.py").read_text(encoding="utf-8")
_NAMESPACE: dict = {}
exec(compile(SOURCE, "grader_models.py", "exec"), _NAMESPACE)  # the grader's own code

FrozenPartNet = _NAMESPACE["FrozenPartNet"]
CifarSized = _NAMESPACE["CifarSized"]
StepNet = _NAMESPACE["StepNet"]
PixelVote = _NAMESPACE["PixelVote"]
linear_classifier = _NAMESPACE["linear_classifier"]


def kernel_code(body: str) -> str:
    """A snippet for student.run: the grader's models, then ``body`` (which sets result)."""
    return SOURCE + "\n" + body


def mean_batch_loss(model: torch.nn.Module, x, y, batch_size: int) -> float:
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = torch.as_tensor(x[start : start + batch_size])
            yb = torch.as_tensor(y[start : start + batch_size])
            losses.append(float(criterion(model(xb), yb)))
    return sum(losses) / len(losses)


def kind(value) -> str:
    """How a returned value is named in feedback ("a torch.Tensor", "a float", ...)."""
    from autograder.wire import TensorArray

    if isinstance(value, TensorArray):
        return "a torch.Tensor"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    return f"a {type(value).__name__}"
