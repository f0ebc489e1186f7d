"""An assignment's config.toml is checked when it is read: a wrong value is named, once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.config import Limits, load_config, with_overrides
from autograder.errors import ConfigError
from autograder.grading import Options, grade
from tests.notebooks import solution_path

GOOD = solution_path("cnn_basics").parent / "config.toml"


def _config(tmp_path: Path, section: str, line: str) -> Path:
    """The cnn_basics config with ``line`` set in ``[section]``."""
    key = line.split("=")[0].strip()
    out, current, skipping = [], None, False
    for text in GOOD.read_text(encoding="utf-8").splitlines():
        if skipping:  # the rest of a list that spans lines
            skipping = text.strip() != "]"
            continue
        if text.startswith("["):
            current = text.strip("[]")
        if current == section and text.split("=")[0].strip() == key:
            skipping = text.rstrip().endswith("[")
            continue
        out.append(text)
        if text == f"[{section}]":
            out.append(line)
    path = tmp_path / "config.toml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "section, line, sentence",
    [
        (
            "limits",
            'cell_timeout_s = "60"',
            "[limits] cell_timeout_s must be a number, not the text '60'",
        ),
        (
            "limits",
            "memory_mb = -1",
            "[limits] memory_mb must be between 256 and 4.1943e+06, not -1",
        ),
        (
            "limits",
            "memory_mb = 4096.5",
            "[limits] memory_mb must be a whole number, not the value 4096.5",
        ),
        (
            "limits",
            "max_processes = true",
            "[limits] max_processes must be a whole number, not the truth value True",
        ),
        (
            "limits",
            "call_timeout_s = 0",
            "[limits] call_timeout_s must be between 0.1 and 86400, not 0",
        ),
        (
            "limits",
            "cell_timeout_s = 3600",
            "cell_timeout_s (3600 s) is longer than total_timeout_s (600 s)",
        ),
        ("limits", "cpu_seconds = 5", "[limits]: unknown setting(s) cpu_seconds"),
        (
            "assignment",
            "version = 1.0",
            "[assignment] version must be text in quotes, not the value 1.0",
        ),
        (
            "assignment",
            'questions = "softmax"',
            "[assignment] questions must be a list of texts in quotes",
        ),
        (
            "assignment",
            "max_score = 0",
            "[assignment] max_score must be between 0.001 and 1e+06, not 0",
        ),
    ],
)
def test_a_wrong_value_is_named_with_its_key(tmp_path, section, line, sentence):
    with pytest.raises(ConfigError) as raised:
        load_config(_config(tmp_path, section, line))
    assert sentence in str(raised.value)


def test_training_settings_are_checked_too(tmp_path):
    config = solution_path("cifar10_cnn").parent / "config.toml"
    text = config.read_text(encoding="utf-8").replace(
        "batch_size_min = 32", "batch_size_min = 2048", 1
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ConfigError,
        match=r"\[training.cuda\] batch_size_min \(2048\) is larger than batch_size_max \(1024\)",
    ):
        load_config(path)
    path.write_text(text.replace("threshold = 80.0", 'threshold = "80"', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[training.cuda\] threshold must be a number"):
        load_config(path)


def test_the_course_configs_are_valid_and_whole_numbers_count_as_numbers():
    config = load_config(GOOD)
    assert config.limits.cell_timeout_s == 60.0 and isinstance(config.limits.cell_timeout_s, float)
    assert config.questions[0] == "cross_correlation2d"


def test_limit_overrides_are_checked_like_the_file():
    assert with_overrides(Limits(), {"call_timeout_s": 2}).call_timeout_s == 2.0
    with pytest.raises(ConfigError, match="memory_mb must be a whole number, not the text '4G'"):
        with_overrides(Limits(), {"memory_mb": "4G"})
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) memory"):
        with_overrides(Limits(), {"memory": 4096})


@pytest.mark.slow
def test_a_broken_config_is_the_graders_error_not_the_students(tmp_path):
    folder = tmp_path / "cnn_basics"
    shutil.copytree(GOOD.parent, folder)
    (folder / "config.toml").write_text(
        GOOD.read_text(encoding="utf-8").replace("memory_mb = 4096", "memory_mb = -1"),
        encoding="utf-8",
    )
    report = grade(solution_path("cnn_basics"), Options(assignments=(tmp_path,)))
    assert report.status == "error"
    assert "[limits] memory_mb must be between 256" in report.error


@pytest.mark.slow
def test_a_module_the_course_declares_but_the_grader_lacks_is_the_graders_error(tmp_path):
    folder = tmp_path / "cnn_basics"
    shutil.copytree(GOOD.parent, folder)
    with open(folder / "config.toml", "a", encoding="utf-8") as f:
        f.write('\n[environment]\nmodules = ["scipy", "a_package_nobody_installed"]\n')
    report = grade(solution_path("cnn_basics"), Options(assignments=(tmp_path,)))
    assert report.status == "error"
    assert report.error.startswith("the course environment lacks a_package_nobody_installed")
