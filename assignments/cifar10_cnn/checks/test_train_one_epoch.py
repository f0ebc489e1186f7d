"""train_one_epoch(model, dataloader, criterion, optimizer, device) -> mean batch loss."""

import numpy as np
import pytest
import torch
from cifar10_support import kernel_code, linear_classifier, mean_batch_loss

from autograder.checking import expect_float

RUN = kernel_code("""
import torch
torch.manual_seed(0)
model = linear_classifier(inputs["weight"], inputs["bias"])
model.eval()
before = [p.detach().clone() for p in model.parameters()]
if inputs["optimizer"] == "sgd":
    optimizer = torch.optim.SGD(model.parameters(), lr=inputs["lr"])
else:
    optimizer = torch.optim.Adam(model.parameters(), lr=inputs["lr"])
data = loader(inputs["x"], inputs["y"], inputs["batch_size"])
losses = []
for _ in range(inputs["epochs"]):
    losses.append(student["train_one_epoch"](model, data, torch.nn.CrossEntropyLoss(), optimizer, torch.device("cpu")))
result = {
    "losses": losses,
    "training": model.training,
    "change": float(sum((p.detach() - b).abs().sum() for p, b in zip(model.parameters(), before))),
    "weight": model[1].weight.detach().numpy(),
    "bias": model[1].bias.detach().numpy(),
}
""")


def _weights(rng, scale=0.01):
    return (rng.normal(size=(10, 3072)) * scale).astype(np.float32), np.zeros(10, np.float32)


def _run(student, x, y, *, batch_size, optimizer="sgd", lr=0.0, epochs=1, weight=None, bias=None):
    label = (
        f"train_one_epoch(model, loader of {len(y)} images in batches of {batch_size}, "
        f"CrossEntropyLoss(), {optimizer.upper()}(lr={lr}), 'cpu')"
    )
    got = student.run(
        RUN,
        label=label,
        x=x,
        y=y,
        batch_size=batch_size,
        optimizer=optimizer,
        lr=lr,
        epochs=epochs,
        weight=weight,
        bias=bias,
    )
    return label, got


@pytest.mark.points(5)
def test_train_one_epoch_returns_the_mean_batch_loss(student, rng):
    """With a learning rate of 0 (weights fixed), is the result the mean of the batch losses, as a float?"""
    x = rng.normal(size=(50, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=50)
    weight, bias = _weights(rng, 0.05)
    label, got = _run(student, x, y, batch_size=16, weight=weight, bias=bias)
    loss = got["losses"][0]
    expected = mean_batch_loss(linear_classifier(weight, bias), x, y, 16)
    with torch.no_grad():
        weighted = float(
            torch.nn.functional.cross_entropy(
                linear_classifier(weight, bias)(torch.as_tensor(x)), torch.as_tensor(y)
            )
        )
    hint = ""
    if isinstance(loss, float) and abs(loss - weighted) < 1e-4 and abs(loss - expected) > 1e-4:
        hint = " (it is the mean over images; the contract asks for the mean of the batch losses)"
    try:
        expect_float(loss, expected, what=f"{label} returned a loss that", rtol=1e-4, atol=1e-5)
    except AssertionError as error:
        raise AssertionError(f"{error}{hint}") from None


@pytest.mark.points(3)
def test_train_one_epoch_leaves_the_model_in_training_mode(student, rng):
    """Does train_one_epoch put the model in training mode (model.train())?"""
    x = rng.normal(size=(16, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=16)
    weight, bias = _weights(rng)
    label, got = _run(student, x, y, batch_size=8, weight=weight, bias=bias)
    assert got["training"] is True, (
        f"After {label} the model is still in evaluation mode; call model.train() at the start."
    )


@pytest.mark.points(3)
def test_train_one_epoch_changes_the_weights(student, rng):
    """Does one epoch with SGD(lr=0.1) change the model's weights (zero_grad, backward, step)?"""
    x = rng.normal(size=(32, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=32)
    weight, bias = _weights(rng)
    label, got = _run(student, x, y, batch_size=8, lr=0.1, weight=weight, bias=bias)
    assert got["change"] > 1e-6, (
        f"{label} left every weight unchanged: call loss.backward() and optimizer.step() for each batch."
    )


@pytest.mark.points(4)
@pytest.mark.hidden
def test_train_one_epoch_lowers_the_loss_on_a_separable_set(student, rng):
    """Over five epochs on a small separable set, does the loss (measured by the grader) fall by half?"""
    n = 64
    y = np.arange(n) % 2
    x = rng.normal(size=(n, 3, 32, 32)).astype(np.float32) * 0.5
    x[:, 0] += np.where(y == 0, 1.0, -1.0)[:, None, None].astype(np.float32)
    weight, bias = _weights(rng)
    label, got = _run(
        student, x, y, batch_size=16, optimizer="adam", lr=0.01, epochs=5, weight=weight, bias=bias
    )
    before = mean_batch_loss(linear_classifier(weight, bias), x, y, n)
    after = mean_batch_loss(linear_classifier(got["weight"], got["bias"]), x, y, n)
    assert after < 0.5 * before, (
        f"Five epochs of {label} took the loss from {before:.4f} to {after:.4f} (measured by the "
        "grader); it should at least halve on this easy set."
    )
