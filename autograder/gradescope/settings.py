"""The settings of a Gradescope autograder, ``gradescope.toml`` at the root of its zip.

    [gradescope]
    assignment = "cnn_basics"          # what every submission is graded as
    hidden_visibility = "hidden"       # or "after_published" (or "after_due_date")
    output_format = "md"               # or "text"
    sandbox = "auto"                   # "bwrap" to refuse running without bubblewrap
    device = "auto"                    # "cpu" to run the accuracy check on the CPU
    data_dir = ""                      # where a CIFAR-format data set is, if any

An assignment folder may hold a ``gradescope.toml`` of its own with the same table (without
``assignment``): it gives the defaults that ``python -m autograder gradescope`` writes into
the zip, and options on that command line override it.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from autograder.config import build
from autograder.errors import ConfigError
from autograder.reports.gradescope import HIDDEN_VISIBILITIES, OUTPUT_FORMATS, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

FILE = "gradescope.toml"
CHOICES = {
    "hidden_visibility": HIDDEN_VISIBILITIES,
    "output_format": OUTPUT_FORMATS,
    "sandbox": ("auto", "bwrap", "process"),
    "device": ("auto", "cpu", "cuda"),
}


@dataclass(frozen=True)
class GradescopeSettings:
    """How the zip's ``run_autograder`` grades and reports (see the module's docstring)."""

    assignment: str = ""
    hidden_visibility: str = "hidden"
    output_format: str = "md"
    sandbox: str = "auto"
    device: str = "auto"
    data_dir: str = ""

    def results(self) -> Settings:
        """The settings of results.json."""
        return Settings(hidden_visibility=self.hidden_visibility, output_format=self.output_format)

    def with_changes(self, **changes: Any) -> GradescopeSettings:
        """These settings with the given values (None: kept), each checked."""
        given = {k: v for k, v in changes.items() if v is not None}
        return checked(replace(self, **given), "the options")

    def toml(self) -> str:
        lines = ["# Read by run_autograder; see python -m autograder gradescope --help.", ""]
        lines.append("[gradescope]")
        for key, value in asdict(self).items():
            lines.append(f"{key} = {_quoted(str(value))}")
        return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def checked(settings: GradescopeSettings, where: str) -> GradescopeSettings:
    for name, allowed in CHOICES.items():
        value = getattr(settings, name)
        if value not in allowed:
            raise ConfigError(
                f"{where}: {name} must be one of {', '.join(allowed)}, not {value!r}."
            )
    return settings


def read(path: Path, *, base: GradescopeSettings | None = None) -> GradescopeSettings:
    """The settings in ``path`` (missing keys from ``base``); a :class:`ConfigError` naming
    the key when a value is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}.") from None
    unknown = set(raw) - {"gradescope"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}.")
    table = raw.get("gradescope", {})
    current = asdict(base or GradescopeSettings())
    if isinstance(table, dict):
        table = {**{f.name: current[f.name] for f in fields(GradescopeSettings)}, **table}
    return checked(build(GradescopeSettings, table, f"{path} [gradescope]"), str(path))
