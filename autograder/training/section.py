"""The training section of a report: the JSON under ``training`` in report.json, and how it
reads in report.md and in the HTML reports (facts, curves, confusion matrix, per-class
accuracy, first-layer filters; the flip-consistency figure for staff only)."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from autograder.reports.svg import BLUE, GREEN, ORANGE, filter_images, hbars, heatmap, line_chart
from autograder.reports.text import md_block, md_inline
from autograder.results import Section


class TrainingSection(Section):
    """The accuracy check's part of a report."""

    @property
    def status(self) -> str | None:
        return self.data.get("status")

    @property
    def test_accuracy(self) -> float | None:
        return self.data.get("test_accuracy")

    @property
    def threshold(self) -> float | None:
        return self.data.get("threshold")

    @property
    def dataset(self) -> str | None:
        return self.data.get("dataset")

    def markdown(self) -> list[str]:
        return _markdown(self.data)

    def html(self, *, staff: bool) -> str:
        return _html(self.data, staff=staff) if self.data else ""

    def seconds(self) -> tuple[str, float] | None:
        seconds = self.data.get("train_seconds")
        return ("training", float(seconds)) if seconds else None

    def problem(self) -> str | None:
        if self.status not in ("failed", "error"):
            return None
        return str(
            self.data.get("error")
            or self.data.get("reason")
            or f"test accuracy {self.test_accuracy} % (bar: {self.threshold} %)"
        )

    def leaderboard(self) -> list[dict[str, Any]]:
        if self.test_accuracy is None:
            return []
        name = "CIFAR-10" if self.data.get("dataset_kind") == "cifar10" else "synthetic data"
        if self.data.get("dataset_kind") not in ("cifar10", "synthetic"):
            name = "an unverified data set"
        return [
            {
                "name": f"Test accuracy on {name} (%)",
                "value": round(float(self.test_accuracy), 2),
                "order": "desc",
            }
        ]


def _pct(x: float | None) -> str | None:
    return None if x is None else f"{x:.2f} %"


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _markdown(t: dict[str, Any]) -> list[str]:
    if not t:
        return []
    out = ["## Training (accuracy check)", ""]
    if t.get("status") == "skipped" or t.get("skipped"):
        return out + [
            md_inline(_sentence(t.get("reason") or "The accuracy check was skipped.")),
            "",
        ]
    acc = t.get("test_accuracy")
    rows = [
        ("data set", t.get("dataset")),
        ("device", t.get("device")),
        (
            "epochs",
            f"{t.get('epochs')} (student asked for {t.get('epochs_requested')}, cap {t.get('epoch_cap')})",
        ),
        ("batch size", t.get("batch_size")),
        ("optimizer", t.get("optimizer")),
        ("mixed precision", t.get("mixed_precision")),
        (
            "test accuracy",
            f"{acc:.2f} % (threshold {t.get('threshold')} %)" if acc is not None else "—",
        ),
        ("test images", t.get("test_images")),
        ("untrained model's accuracy", _pct(t.get("untrained_accuracy"))),
        ("accuracy on mirrored images", _pct(t.get("flipped_accuracy"))),
        ("accuracy on published test images", _pct(t.get("published_accuracy"))),
        ("weights changed by training", _pct(t.get("weights_changed"))),
        (
            "training time",
            f"{t.get('train_seconds', 0):.1f} s ({t.get('seconds_per_epoch', 0):.2f} s per epoch)",
        ),
    ]
    out += ["| | |", "|---|---|"]
    out += [f"| {k} | {md_inline(v)} |" for k, v in rows if v is not None] + [""]
    per_class = t.get("per_class_accuracy")
    names = t.get("class_names") or []
    if per_class:
        out += [
            "Per class: "
            + ", ".join(f"{n} {a:.1f} %" for n, a in zip(names, per_class, strict=False)),
            "",
        ]
    if t.get("curves", {}).get("train_loss"):
        losses = ", ".join(f"{x:.3f}" for x in t["curves"]["train_loss"])
        out += [f"Train loss per epoch: {losses}", ""]
    if t.get("error"):
        out += ["Training stopped:", *md_block(t["error"]), ""]
    return out


def _html(t: dict[str, Any], *, staff: bool) -> str:
    """The accuracy check: facts, curves, confusion matrix, per-class bars and filters.

    The flip-consistency figure (accuracy on mirrored test images) is for staff only.
    """
    if not t:
        return ""
    head = "<section><h2>Training (accuracy check)</h2>"
    if t.get("status") in ("skipped", "error") or t.get("skipped"):
        reason = t.get("reason") or "The accuracy check was not run."
        return f"{head}<p>{escape(str(reason))}</p></section>"
    acc, bar = t.get("test_accuracy"), t.get("threshold")
    verdict = ""
    if acc is not None and bar is not None:
        ok = acc >= bar
        verdict = (
            f' <span class="badge {"passed" if ok else "failed"}">'
            f"{'reaches' if ok else 'misses'} the bar</span>"
        )
    seconds = t.get("train_seconds")
    rows = [
        ("Test accuracy", f"{acc:.2f} % (bar: {bar:g} %)" if None not in (acc, bar) else None),
        ("Data set", t.get("dataset")),
        ("Test images", t.get("test_images")),
        ("Untrained model's accuracy", _pct(t.get("untrained_accuracy"))),
        ("Device", t.get("device")),
        ("Epochs", _epochs(t)),
        ("Batch size", t.get("batch_size")),
        ("Optimizer", t.get("optimizer")),
        ("Mixed precision", t.get("mixed_precision")),
        (
            "Training time",
            None
            if seconds is None
            else f"{seconds:.1f} s ({t.get('seconds_per_epoch') or 0:.2f} s per epoch)",
        ),
        ("Stopped early", t.get("stopped")),
        ("Training error", t.get("error")),
    ]
    if staff and t.get("published_accuracy") is not None:
        rows.insert(1, ("Accuracy on published test images", _pct(t["published_accuracy"])))
    if staff and t.get("weights_changed") is not None:
        rows.insert(1, ("Weights changed by training", _pct(t["weights_changed"])))
    if staff and t.get("flipped_accuracy") is not None:
        rows.insert(
            1,
            (
                "Accuracy on mirrored test images",
                f"{t['flipped_accuracy']:.2f} % (gap {t.get('flip_gap') or 0:.2f} points)",
            ),
        )
    items = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in rows if v is not None
    )
    out = [
        head,
        f"<p>Status: <b>{escape(str(t.get('status')))}</b>{verdict}</p><dl class='kv'>{items}</dl>",
    ]
    figures = _training_figures(t, staff)
    if figures:
        out.append(
            "<div class='figs'>" + "".join(f"<figure>{f}</figure>" for f in figures) + "</div>"
        )
    filters = t.get("first_layer_filters")
    images = filter_images(filters) if filters else []
    if images:
        f, _, kh, kw = np.shape(filters)  # type: ignore[arg-type]
        imgs = "".join(
            f'<img src="{uri}" alt="filter {i + 1}" title="filter {i + 1}">'
            for i, uri in enumerate(images)
        )
        out.append(
            f"<h3>First-layer filters</h3><p class='muted'>{f} filters of {kh}×{kw} "
            "pixels, RGB, each scaled from its own minimum to its own maximum.</p>"
            f"<div class='filters'>{imgs}</div>"
        )
    return "".join(out) + "</section>"


def _epochs(t: dict) -> str | None:
    asked, cap = t.get("epochs_requested"), t.get("epoch_cap")
    if t.get("epochs") is None:
        return None
    return f"{t['epochs']}" + (f" (asked for {asked}, cap {cap})" if asked is not None else "")


def _training_figures(t: dict, staff: bool) -> list[str]:
    figures = []
    curves = t.get("curves") or {}
    names = [str(n) for n in (t.get("class_names") or [])]
    if curves.get("train_loss"):
        figures.append(
            line_chart(
                [("train loss", curves["train_loss"], BLUE)],
                title="Training loss per epoch",
                x_label="epoch",
                y_label="mean training loss",
            )
        )
    if curves.get("test_accuracy"):
        bar = t.get("threshold")
        figures.append(
            line_chart(
                [("test accuracy", curves["test_accuracy"], GREEN)],
                title="Test accuracy per epoch",
                x_label="epoch",
                y_label="test accuracy (%)",
                y_range=(0, 100),
                hline=None if bar is None else (float(bar), f"bar {bar:g} %"),
            )
        )
    matrix = t.get("confusion_matrix")
    if matrix and len(names) >= len(matrix):
        figures.append(heatmap(matrix, names, title="Confusion matrix (test images)"))
    per_class = t.get("per_class_accuracy")
    if per_class and names:
        figures.append(hbars(names, [("test images", per_class, BLUE)], title="Accuracy per class"))
    flipped = t.get("flipped_per_class_accuracy")
    if staff and per_class and flipped and names:
        gaps = [f"gap {a - b:+.1f}" for a, b in zip(per_class, flipped, strict=False)]
        groups = [("test images", per_class, BLUE), ("mirrored test images", flipped, ORANGE)]
        title = f"Flip consistency: overall gap {t.get('flip_gap') or 0:.1f} points"
        figures.append(hbars(names, groups, title=title, notes=gaps))
    return figures
