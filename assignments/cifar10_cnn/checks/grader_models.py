"""Models the grader builds itself: sent as source to the kernel and built here too.

Nothing in this file is a check; the check modules read it as text.
"""

import torch
from torch import nn


class FrozenPartNet(nn.Module):
    """A small net with a frozen layer and BatchNorm buffers (buffers are not parameters)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.frozen = nn.Linear(4, 6)
        for p in self.frozen.parameters():
            p.requires_grad_(False)
        self.head = nn.Linear(6, 10)

    def forward(self, x):
        h = self.bn(self.conv(x)).mean(dim=(2, 3))  # (N, 4)
        return self.head(torch.relu(self.frozen(h)))  # (N, 10)


class CifarSized(nn.Module):
    """A CIFAR-10 network of the assignment's size (about 0.9 M parameters), nested in
    Sequential blocks, with BatchNorm buffers: what a student's count must get right."""

    def __init__(self):
        super().__init__()

        def block(c_in, c_out):
            return nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )

        self.features = nn.Sequential(block(3, 64), block(64, 128), block(128, 256))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(256 * 4 * 4, 128), nn.ReLU())
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.classifier(self.features(x)))


class StepNet(nn.Module):
    """A net whose every trainable weight gets a non-zero gradient from one batch, with a
    frozen middle layer: one optimizer step must change the first and leave the second."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.frozen = nn.Linear(16, 16)
        for p in self.frozen.parameters():
            p.requires_grad_(False)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        return self.head(torch.tanh(self.frozen(torch.tanh(self.body(x)))))


def one_step(make_optimizer):
    """The parameters of a seeded StepNet before and after one step of the optimizer
    ``make_optimizer`` makes for it, on one fixed batch, as float64 arrays by name."""
    torch.manual_seed(0)
    model = StepNet()
    x = torch.randn(32, 8, generator=torch.Generator().manual_seed(1))
    y = torch.arange(32) % 10
    before = {n: p.detach().double().numpy().copy() for n, p in model.named_parameters()}
    optimizer = make_optimizer(model)

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        return loss

    closure()
    optimizer.step(closure)
    after = {n: p.detach().double().numpy().copy() for n, p in model.named_parameters()}
    return before, after


class PixelVote(nn.Module):
    """Predicts the class whose pixel (channel 0, row 0, column k) is largest.

    Records the mode and grad setting of every forward call, so a check can see
    how the student's function ran it.
    """

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.seen = []

    def forward(self, x):
        self.seen.append((bool(self.training), bool(torch.is_grad_enabled())))
        return x[:, 0, 0, :10] * self.scale  # (N, 10)


def linear_classifier(weight=None, bias=None):
    """Flatten + Linear(3072, 10), with the given float32 weights if any."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    if weight is not None:
        with torch.no_grad():
            model[1].weight.copy_(torch.as_tensor(weight))
            model[1].bias.copy_(torch.as_tensor(bias))
    return model


def loader(x, y, batch_size):
    """The loader a student's function gets: a real DataLoader, no shuffling."""
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
