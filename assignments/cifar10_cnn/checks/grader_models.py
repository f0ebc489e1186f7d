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
