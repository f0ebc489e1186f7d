"""How much does a correct solution lose when the grader alters the test images?

The accuracy check shows the kernel each test image shifted by up to ``test_shift_px``
pixels, maybe mirrored, with faint noise (``autograder.training.perturb``), so that a
table of the public test set finds nothing. This trains the course's CNN as the CPU check
does (synthetic set, Adam, random crops and flips, 2 epochs on 4,000 images) and prints its
accuracy on the test images as published and, for several fresh draws, altered; the goal
is a loss under one point.

    python benchmarks/perturbed_accuracy.py --seeds 0 1 --draws 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_learnability import BATCH, Data, augment, course_model, make_data  # noqa: E402

from autograder.assignments import find  # noqa: E402
from autograder.training import perturb  # noqa: E402


def trained(data: Data, epochs: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = course_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    padded = nn.functional.pad(data.train_x, (4, 4, 4, 4))
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(data.train_y), generator=generator)
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            loss = nn.functional.cross_entropy(
                model(data.normalize(augment(padded[batch], generator))), data.train_y[batch]
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return model.eval()


def accuracy(model: nn.Module, data: Data, images: np.ndarray) -> float:
    x = torch.from_numpy(images)
    with torch.no_grad():
        predicted = torch.cat(
            [model(data.normalize(x[i : i + 500])).argmax(1) for i in range(0, len(x), 500)]
        )
    return 100.0 * float((predicted == data.test_y).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = find("cifar10_cnn").config.components["training"]
    alter = {"shift": config.test_shift_px, "flip": config.test_flip, "noise": config.test_noise}
    print(f"altered: {perturb.describe(**alter)}")
    losses = []
    for seed in args.seeds:
        data, _ = make_data(args.n_train, args.n_test, seed, own_stats=False)
        model = trained(data, args.epochs, seed)
        plain = accuracy(model, data, data.test_x.numpy())
        draws = [
            accuracy(
                model, data, perturb.alter(data.test_x.numpy(), np.random.default_rng(d), **alter)
            )
            for d in range(args.draws)
        ]
        losses.append(plain - float(np.mean(draws)))
        print(
            f"seed {seed}: published {plain:.2f} %, altered {np.mean(draws):.2f} % "
            f"(draws {', '.join(f'{a:.2f}' for a in draws)}): loses {losses[-1]:+.2f} points"
        )
    print(f"mean loss: {np.mean(losses):+.2f} points (goal: under 1)")


if __name__ == "__main__":
    main()
