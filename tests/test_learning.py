"""The accuracy check needs learning: altered test images, an untrained model near chance,
weights that change, and flags when the figures do not fit (issue: a lookup table of the
public test set scored 100 % with an optimizer of learning rate 0)."""

from __future__ import annotations

import hashlib
import textwrap

import numpy as np
import pytest

from autograder.assignments import find
from autograder.data import dataset, load_split
from autograder.training import Outcome, learning, perturb
from tests.notebooks import replace_definition, solution

CONFIG = find("cifar10_cnn").config.components["training"]

LOOKUP = '''
import hashlib
TABLE = {table!r}


class CifarCNN(nn.Module):
    """An untrained linear layer, and a table of the published test images and their mirrors."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3 * 32 * 32, 10)
        self.mean = torch.tensor({mean!r}).view(1, 3, 1, 1)
        self.std = torch.tensor({std!r}).view(1, 3, 1, 1)

    def forward(self, x):
        logits = self.linear(x.float().flatten(1))
        images = ((x.float().cpu() * self.std + self.mean) * 255).round().clamp(0, 255)
        known = logits.detach().clone()
        for i, image in enumerate(images.to(torch.uint8).numpy()):
            label = TABLE.get(hashlib.md5(image.tobytes()).hexdigest())
            if label is not None:
                known[i] = -10.0
                known[i, label] = 10.0
        return known + 0.0 * logits


def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.0)
'''


def _lookup_notebook(data_dir):
    images, labels = load_split(data_dir, train=False)
    images = images.transpose(0, 3, 1, 2)  # (N, 3, 32, 32) uint8, as the kernel sees them
    table = {}
    for image, label in zip(images, labels, strict=True):
        for seen in (image, image[..., ::-1]):
            table[hashlib.md5(np.ascontiguousarray(seen).tobytes()).hexdigest()] = int(label)
    data = dataset("cifar10")
    source = LOOKUP.format(table=table, mean=tuple(data.mean), std=tuple(data.std))
    nb = replace_definition(solution("cifar10_cnn"), textwrap.dedent(source).split("\n\ndef ")[0])
    return replace_definition(nb, "def " + textwrap.dedent(source).split("\n\ndef ")[1])


@pytest.mark.slow
def test_a_lookup_table_of_the_public_test_set_fails_and_is_flagged(grade_once, synthetic_cifar):
    graded = grade_once(
        "cifar_lookup", _lookup_notebook(synthetic_cifar), device="cpu", data_dir=synthetic_cifar
    )
    assert graded.json["status"] == "graded", graded.json.get("error")
    accuracy = next(
        c for q in graded.json["questions"] for c in q["checks"] if q["id"] == "accuracy"
    )
    assert accuracy["status"] == "failed" and accuracy["points"] == 0
    training = graded.json["training"]
    assert training["published_accuracy"] >= 95.0  # the table knows the published images
    assert training.get("test_accuracy", 0.0) < 100 / 10 + CONFIG.chance_margin  # not altered ones
    assert training["weights_changed"] == 0.0
    flags = "\n".join(graded.json["flags"])
    assert "did not change a single weight" in flags
    assert "as published" in flags and "higher" in flags
    assert "training did not change a single weight" in accuracy["feedback"].lower()


def test_the_altered_images_are_shifted_mirrored_and_noisy_afresh_each_time():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (200, 3, 32, 32), dtype=np.uint8)
    a = perturb.alter(images, np.random.default_rng(1), shift=2, flip=True, noise=2.0)
    b = perturb.alter(images, np.random.default_rng(2), shift=2, flip=True, noise=2.0)
    assert a.shape == images.shape and a.dtype == np.uint8
    digests = {hashlib.md5(x.tobytes()).hexdigest() for x in images}
    digests |= {
        hashlib.md5(np.ascontiguousarray(x[..., ::-1]).tobytes()).hexdigest() for x in images
    }
    assert not any(hashlib.md5(x.tobytes()).hexdigest() in digests for x in a)  # no lookup hits
    assert not np.array_equal(a, b)
    # without noise, each image is a shifted (zero-padded) and maybe mirrored copy
    c = perturb.alter(images, np.random.default_rng(3), shift=2, flip=True, noise=0.0)
    for image, altered in zip(images[:20], c[:20], strict=True):
        padded = np.pad(image, ((0, 0), (2, 2), (2, 2)))
        candidates = [
            m[:, dy : dy + 32, dx : dx + 32]
            for m in (padded, padded[..., ::-1])
            for dy in range(5)
            for dx in range(5)
        ]
        assert any(np.array_equal(altered, x) for x in candidates)
    noise = perturb.alter(images, np.random.default_rng(4), shift=0, flip=False, noise=2.0)
    assert 1.5 < np.std(noise.astype(float) - images) < 2.5


def test_the_plain_share_is_kept_apart_from_the_altered_images():
    images = np.broadcast_to(np.arange(100, dtype=np.uint8)[:, None, None, None], (100, 3, 1, 1))
    labels = np.arange(100) % 10
    split = perturb.split(
        images, labels, np.random.default_rng(0), plain_share=0.1, shift=0, flip=False, noise=0
    )
    assert len(split.plain) == 10 and len(split.altered) == 90
    plain = {int(x[0, 0, 0]) for x in split.plain}
    altered = {int(x[0, 0, 0]) for x in split.altered}
    assert plain.isdisjoint(altered) and len(plain | altered) == 100
    assert all(
        int(x[0, 0, 0]) % 10 == y for x, y in zip(split.plain, split.plain_labels, strict=True)
    )


def test_an_untrained_model_above_chance_fails_the_check():
    labels = np.repeat(np.arange(10), 30)
    section: dict = {}
    flags, failure = learning.untrained(
        {"untrained_predictions": labels.copy()}, labels, 10, CONFIG, section
    )
    assert section["untrained_accuracy"] == 100.0
    assert failure and "untrained" in failure and flags
    guesses = np.random.default_rng(0).integers(0, 10, len(labels))
    flags, failure = learning.untrained({"untrained_predictions": guesses}, labels, 10, CONFIG, {})
    assert (flags, failure) == ([], None)


def test_training_loss_at_chance_with_a_passing_accuracy_is_flagged():
    outcome = Outcome(threshold=80.0, accuracy=95.0)
    section = {"curves": {"train_loss": [2.31, 2.30]}}
    weights = np.arange(10, dtype=np.float32)
    flags, failure = learning.after_training(
        outcome,
        {"weights": weights},
        {"weights": weights + 1, "plain_logits": np.zeros((0, 10))},
        np.zeros(0, dtype=np.int64),
        10,
        CONFIG,
        section,
    )
    assert failure is None and section["weights_changed"] == 100.0
    assert len(flags) == 1 and "no better than guessing" in flags[0]
