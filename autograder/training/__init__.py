"""The accuracy check: a component an assignment asks for with ``[training]`` in its config.

- :mod:`.component`: the grader's side: device and data, the GPU probe, the epochs and the
  time budget, the verdict;
- :mod:`.kernel_trainer`: the trainer sent into the kernel as source;
- :mod:`.measure`: what is measured on the grader's side, and how;
- :mod:`.section`: the report's training section and how it renders;
- :mod:`.config`: the ``[training]`` table.
"""

from autograder.training.component import (
    CALL,
    TrainingComponent,
    TrainingSkipped,
    TrainingUnavailable,
)
from autograder.training.config import TrainingConfig, TrainingSettings
from autograder.training.measure import Outcome
from autograder.training.section import TrainingSection

__all__ = [
    "CALL",
    "Outcome",
    "TrainingComponent",
    "TrainingConfig",
    "TrainingSection",
    "TrainingSettings",
    "TrainingSkipped",
    "TrainingUnavailable",
]
