"""The accuracy check's configuration: the ``[training]`` table of an assignment's config.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.config import between, build
from autograder.errors import ConfigError


@dataclass(frozen=True)
class TrainingSettings:
    """One way to run the accuracy check (on a GPU, or the smaller CPU variant)."""

    threshold: float = field(default=80.0, metadata=between(0, 100))
    """Minimum test accuracy in percent."""
    epoch_cap: int = field(default=20, metadata=between(1, 10_000))
    """The grader trains min(EPOCHS, epoch_cap) epochs."""
    time_budget_s: float = field(default=900.0, metadata=between(1, 7 * 86400))
    """Seconds of processor time training may use (CPU time ÷ threads on the CPU, wall-clock
    on a GPU); training must finish its epochs within it, or the check fails."""
    batch_size_min: int = field(default=32, metadata=between(1, 1 << 20))
    batch_size_max: int = field(default=512, metadata=between(1, 1 << 20))
    n_train: int | None = field(default=None, metadata=between(1, 10**9))
    """Use only the first n training images (None: all of them)."""
    n_test: int | None = field(default=None, metadata=between(1, 10**9))
    """Use only the first n test images (None: all of them)."""
    mixed_precision: bool = True
    """bfloat16 autocast around train_one_epoch (without autocast's weight cache)."""
    channels_last: bool = True
    """Model and batches in channels-last layout (not used when the model cannot run it)."""
    threads: int | None = field(default=None, metadata=between(1, 4096))
    """torch.set_num_threads in the kernel (CPU runs)."""


@dataclass(frozen=True)
class TrainingConfig:
    """The accuracy check: what is trained on what, GPU and CPU settings, what is flagged."""

    dataset: str = "cifar10"
    """The data set, by its name in autograder.data (its files, classes and normalization)."""
    model: str = "CifarCNN"
    """The student's model class, built with no arguments."""
    optimizer: str = "make_optimizer"
    """The student's function that makes the optimizer: ``make_optimizer(model)``."""
    train: str = "train_one_epoch"
    """The student's ``train_one_epoch(model, loader, criterion, optimizer, device)``."""
    epochs: str = "EPOCHS"
    """The student's variable naming the epochs to train (capped by ``epoch_cap``)."""
    batch_size: str = "BATCH_SIZE"
    """The student's variable naming the batch size (kept within the bounds)."""
    cuda: TrainingSettings = field(default_factory=TrainingSettings)
    cpu: TrainingSettings = field(default_factory=TrainingSettings)
    flip_gap_flag: float = field(default=15.0, metadata=between(0, 100))
    """Flag for staff when accuracy on mirrored test images trails by more points than this."""
    test_shift_px: int = field(default=2, metadata=between(0, 8))
    """Each test image the kernel sees is shifted by up to this many pixels (zero padding),
    drawn afresh for every grade by the grader, so that a table of the public test images
    finds nothing; a CNN trained with random crops does not mind."""
    test_flip: bool = True
    """Each test image is also mirrored with probability 1/2."""
    test_noise: float = field(default=2.0, metadata=between(0, 64))
    """Standard deviation of the Gaussian noise added to each test pixel (0-255 units)."""
    plain_share: float = field(default=0.1, metadata=between(0, 0.5))
    """Share of the test images sent as published (not altered, never counted in the
    accuracy), only to flag a model that knows the published images by heart."""
    lookup_gap_flag: float = field(default=15.0, metadata=between(0, 100))
    """Flag when accuracy on the published images beats the altered ones by more points."""
    chance_margin: float = field(default=20.0, metadata=between(0, 100))
    """An untrained model scoring more than chance plus this many points fails the check:
    its accuracy cannot come from training."""
    cuda_memory_mb: int = field(default=16384, metadata=between(256, 2**22))
    """Host memory limit of the kernel when it trains on a GPU."""
    gpu_memory_fraction: float = field(default=1.0, metadata=between(0.05, 1))
    """Share of its GPU's memory one grade may allocate (PyTorch's per-process cap; below 1
    when workers share a GPU)."""


def parse(raw: dict[str, Any], where: str) -> TrainingConfig:
    """The ``[training]`` table, every value checked (``where`` names the file)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} [training] must be a table of settings.")
    table = dict(raw)
    devices = {}
    for kind in ("cuda", "cpu"):
        settings = build(TrainingSettings, table.pop(kind, {}), f"{where} [training.{kind}]")
        if settings.batch_size_min > settings.batch_size_max:
            raise ConfigError(
                f"{where} [training.{kind}] batch_size_min ({settings.batch_size_min}) is "
                f"larger than batch_size_max ({settings.batch_size_max})."
            )
        devices[kind] = settings
    config = build(TrainingConfig, {**table, **devices}, f"{where} [training]")
    from autograder.data import DATASETS

    if config.dataset not in DATASETS:
        raise ConfigError(
            f"{where} [training] dataset {config.dataset!r} is not a data set the grader knows "
            f"(known: {', '.join(sorted(DATASETS))})."
        )
    return config
