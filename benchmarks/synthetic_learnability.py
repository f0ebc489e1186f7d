"""Is the synthetic data set learnable by the course's CNN, and not by a linear network?

Trains, on the CPU, (a) the course's CifarCNN and (b) the same network with
every ReLU removed and max-pooling replaced by average pooling (a linear map
of the pixels), with Adam (lr 1e-3), batch 64, random crop (padding 4) and
horizontal flip, normalized with the data set's own mean and std (or CIFAR-10's), on a
freshly generated synthetic set; prints test accuracy and seconds per run.

    python benchmarks/synthetic_learnability.py --n-train 3000 --epochs 1 --seeds 0 1
    python benchmarks/synthetic_learnability.py --linear-factor 3   # linear net also 3x longer

The seed picks both the data set and the initialization. Timings are wall-clock
seconds on this machine with ``--threads`` threads (process CPU seconds too,
which a busy machine inflates less).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from autograder.data import CIFAR10_MEAN, CIFAR10_STD, load_split
from autograder.data.synthetic import generate

BATCH = 64


def course_model(linear: bool = False) -> nn.Sequential:
    """The course's CifarCNN; ``linear=True`` drops every ReLU and swaps MaxPool for AvgPool."""

    def act() -> nn.Module:
        return nn.Identity() if linear else nn.ReLU()

    def pool() -> nn.Module:
        return nn.AvgPool2d(2, 2) if linear else nn.MaxPool2d(2, 2)

    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), act(),
        nn.Conv2d(32, 64, 3, padding=1), act(), pool(),
        nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), act(),
        nn.Conv2d(128, 128, 3, padding=1), act(), pool(), nn.Dropout2d(0.05),
        nn.Conv2d(128, 256, 3, padding=1), nn.BatchNorm2d(256), act(),
        nn.Conv2d(256, 256, 3, padding=1), act(), pool(),
        nn.Flatten(), nn.Dropout(0.1),
        nn.Linear(4096, 1024), act(), nn.Linear(1024, 512), act(), nn.Dropout(0.1),
        nn.Linear(512, 10),
    )  # fmt: skip


@dataclass
class Data:
    """uint8 images (N, 3, 32, 32), int64 labels, and the normalization as (1, 3, 1, 1) tensors."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() / 255.0 - self.mean) / self.std


def make_data(
    n_train: int, n_test: int, seed: int, *, own_stats: bool = True
) -> tuple[Data, float]:
    """Generate a synthetic set on disk and load it back; also return the seconds that took.

    ``own_stats``: normalize with the set's own mean and std (else with CIFAR-10's constants,
    as the grader does).
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as root:
        generate(root, n_train=n_train, n_test=n_test, seed=seed)
        (xtr, ytr), (xte, yte) = load_split(root, train=True), load_split(root, train=False)
    seconds = time.perf_counter() - started
    pixels = xtr.reshape(-1, 3) / 255.0
    mean, std = (pixels.mean(0), pixels.std(0)) if own_stats else (CIFAR10_MEAN, CIFAR10_STD)
    mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    def chw(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    data = Data(chw(xtr), torch.from_numpy(ytr), chw(xte), torch.from_numpy(yte), mean, std)
    return data, seconds


def augment(padded: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random 32x32 crops of (B, 3, 40, 40) zero-padded images, each flipped with chance 1/2."""
    b = padded.shape[0]
    oy = torch.randint(0, 9, (b,), generator=generator)
    ox = torch.randint(0, 9, (b,), generator=generator)
    steps = torch.arange(32)
    rows = (oy[:, None] + steps)[:, None, :, None]  # (B, 1, 32, 1)
    cols = (ox[:, None] + steps)[:, None, None, :]  # (B, 1, 1, 32)
    crops = padded[
        torch.arange(b)[:, None, None, None], torch.arange(3)[None, :, None, None], rows, cols
    ]
    flip = torch.rand(b, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], crops.flip(3), crops)


def accuracy(model: nn.Module, data: Data) -> float:
    """Test accuracy in percent, in evaluation mode."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(data.test_y), 500):
            logits = model(data.normalize(data.test_x[i : i + 500]))
            correct += int((logits.argmax(1) == data.test_y[i : i + 500]).sum())
    return 100.0 * correct / len(data.test_y)


def train(data: Data, *, linear: bool, epochs: int, seed: int, curve: bool) -> dict[str, float]:
    """Train one model from scratch; return its accuracy and wall/CPU seconds."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = course_model(linear)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    padded = nn.functional.pad(data.train_x, (4, 4, 4, 4))
    wall, cpu = time.perf_counter(), time.process_time()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(data.train_y), generator=generator)
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            x = data.normalize(augment(padded[batch], generator))
            loss = nn.functional.cross_entropy(model(x), data.train_y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if curve and epoch < epochs - 1:
            print(f"    after epoch {epoch + 1}: {accuracy(model, data):.1f} %", flush=True)
    train_s, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    acc = accuracy(model, data)
    return {
        "accuracy": acc,
        "train_s": train_s,
        "train_cpu_s": train_cpu,
        "test_s": time.perf_counter() - wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--linear-factor",
        type=int,
        default=1,
        help="also train the linear network this many times longer (1: same budget only)",
    )
    parser.add_argument("--models", default="cnn,linear", help="comma-separated: cnn, linear")
    parser.add_argument(
        "--curve", action="store_true", help="print test accuracy after every epoch"
    )
    parser.add_argument(
        "--normalize",
        choices=["own", "cifar"],
        default="own",
        help="with the set's own mean/std, or with CIFAR-10's constants as the grader does",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = []
    for name in args.models.split(","):
        factors = [1] if name == "cnn" else sorted({1, args.linear_factor})
        runs += [(name, factor) for factor in factors]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, "
        f"Adam lr 1e-3, normalized with {args.normalize} mean/std"
    )
    print(
        f"{'seed':>4} {'model':<7} {'n_train':>7} {'n_test':>6} {'epochs':>6} {'train s':>8} "
        f"{'cpu s':>7} {'test s':>6} {'accuracy':>8}"
    )
    for seed in args.seeds:
        data, gen_s = make_data(args.n_train, args.n_test, seed, own_stats=args.normalize == "own")
        n = args.n_train + args.n_test
        print(f"  (seed {seed}: generated and loaded {n} images in {gen_s:.2f} s)")
        for name, factor in runs:
            epochs = args.epochs * factor
            r = train(data, linear=name == "linear", epochs=epochs, seed=seed, curve=args.curve)
            print(
                f"{seed:>4} {name:<7} {args.n_train:>7} {args.n_test:>6} {epochs:>6} "
                f"{r['train_s']:>8.1f} {r['train_cpu_s']:>7.1f} {r['test_s']:>6.1f} "
                f"{r['accuracy']:>7.1f}%",
                flush=True,
            )


if __name__ == "__main__":
    main()
