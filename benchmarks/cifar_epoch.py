"""Seconds per epoch: the grader's trainer vs. the course's own DataLoader loop.

    python benchmarks/cifar_epoch.py --data-dir datasets/synthetic [--epochs 3] [--device cuda]

Both train the course's CifarCNN (the reference solution's class, optimizer and
train_one_epoch) on the same CIFAR-format data, on the same device:

- grader: the accuracy check's trainer (autograder/training/kernel_trainer.py):
  uint8 images resident on the device, random crop (padding 4) and flip per
  batch on the device, bfloat16 autocast and channels-last on CUDA;
- course: torchvision transforms (RandomCrop(32, padding=4),
  RandomHorizontalFlip, ToTensor, Normalize) in a DataLoader with batch 128 and
  2 workers, float32, as the course's notebook does it.

Each side runs one warm-up epoch, then --epochs timed epochs (CUDA synchronized
around each); the script prints the mean and the spread, and the ratio. Goal
(DESIGN.md): the grader at least 20x faster per epoch, and at least 20 epochs a
minute on an H100. Make a CIFAR-sized synthetic set with
`python -m autograder.data synthetic --out datasets/synthetic` (50,000 images).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def reference():
    from autograder import reference as ref

    return ref.load(REPO / "assignments" / "cifar10_cnn" / "solution.ipynb")


PRECISIONS = {
    "fp32": {"mixed_precision": False, "channels_last": False},
    "bf16": {"mixed_precision": True, "channels_last": False},
    "bf16+channels-last": {"mixed_precision": True, "channels_last": True},
}
"""The grader trainer's settings compared (assignments/<name>/config.toml chooses per device)."""


def grader_epochs(
    solution,
    data_dir: Path,
    device: str,
    epochs: int,
    n_train: int | None,
    batch: int,
    precision: str = "bf16+channels-last",
):
    """Seconds per epoch of the grader's trainer, run in this process."""
    import numpy as np

    from autograder.data import CIFAR10_MEAN as MEAN
    from autograder.data import CIFAR10_STD as STD
    from autograder.data import cifar
    from autograder.training import CALL

    namespace = dict(vars(solution))
    namespace["BATCH_SIZE"] = batch
    names = type(
        "Names",
        (),
        {
            "__getitem__": lambda self, k: namespace[k],
            "get": lambda self, k, d=None: namespace.get(k, d),
        },
    )()
    test, _ = cifar.load_split(data_dir, train=False)
    common = {
        "device": device,
        "data_dir": str(data_dir),
        "seed": 0,
        "mean": MEAN,
        "std": STD,
        "names": {
            "model": "CifarCNN",
            "optimizer": "make_optimizer",
            "train": "train_one_epoch",
            "epochs": "EPOCHS",
            "batch_size": "BATCH_SIZE",
        },
        **PRECISIONS[precision],
        "threads": 0,
        "n_train": n_train or 0,
        "batch_size_min": 1,
        "batch_size_max": 4096,
    }

    def step(name: str, **extra):
        scope = {"student": names, "inputs": {**common, "step": name, **extra}}
        exec(compile(CALL, "kernel_trainer", "exec"), scope)  # the trainer's own code
        return scope["result"]

    shown = np.ascontiguousarray(test[:1000].transpose(0, 3, 1, 2))
    info = step("setup", test_images=shown, plain_images=shown[:0])
    times = [step("epoch")["seconds"] for _ in range(epochs + 1)]
    return times[1:], info


def course_epochs(
    solution, data_dir: Path, device: str, epochs: int, n_train: int | None, batch: int
):
    """Seconds per epoch of the course's loop: PIL transforms in a DataLoader with 2 workers."""
    import torch
    from PIL import Image
    from torchvision import transforms

    from autograder.data import cifar

    images, labels = cifar.load_split(data_dir, train=True)
    if n_train:
        images, labels = images[:n_train], labels[:n_train]
    transform = transforms.Compose(
        [
            transforms.RandomCrop(32, padding=4),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
            transforms.Normalize(solution.CIFAR10_MEAN, solution.CIFAR10_STD),
        ]
    )

    class Train(torch.utils.data.Dataset):
        def __len__(self):
            return len(labels)

        def __getitem__(self, i):
            return transform(Image.fromarray(images[i])), int(labels[i])

    loader = torch.utils.data.DataLoader(Train(), batch_size=batch, shuffle=True, num_workers=2)
    dev = torch.device(device)
    torch.manual_seed(0)
    model = solution.CifarCNN().to(dev)
    optimizer = solution.make_optimizer(model)
    criterion = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs + 1):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        solution.train_one_epoch(model, loader, criterion, optimizer, dev)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", type=Path, default=REPO / "datasets")
    p.add_argument("--device", default="cuda")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs after one warm-up")
    p.add_argument("--n-train", type=int, default=None, help="use only this many training images")
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()
    import torch

    from autograder.data import cifar

    info = cifar.describe(args.data_dir)
    solution = reference()
    name = torch.cuda.get_device_name() if args.device == "cuda" else "CPU"
    print(
        f"data: {info.description}, {args.n_train or info.n_train} training images; device: {name}"
    )
    grader, setup = grader_epochs(
        solution, args.data_dir, args.device, args.epochs, args.n_train, args.batch_size
    )
    print(
        f"grader trainer : {statistics.mean(grader):7.2f} s/epoch  (runs: {', '.join(f'{t:.2f}' for t in grader)}; "
        f"batch {setup['batch_size']}, {setup['mixed_precision']}, channels_last {setup['channels_last']})"
    )
    print(f"                 {60 / statistics.mean(grader):7.1f} epochs/minute")
    course = course_epochs(
        solution, args.data_dir, args.device, args.epochs, args.n_train, args.batch_size
    )
    print(
        f"course loop    : {statistics.mean(course):7.2f} s/epoch  (runs: {', '.join(f'{t:.2f}' for t in course)}; "
        f"DataLoader, 2 workers, float32)"
    )
    print(
        f"speed-up       : {statistics.mean(course) / statistics.mean(grader):.1f}x  (goal: at least 20x)"
    )


if __name__ == "__main__":
    main()
