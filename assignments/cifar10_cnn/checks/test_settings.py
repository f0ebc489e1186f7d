"""EPOCHS and BATCH_SIZE: module-level ints, the training length and batch size."""

import pytest

RUN = """
result = {name: student.get(name) for name in ("EPOCHS", "BATCH_SIZE")}
"""


@pytest.mark.points(5)
def test_settings_are_positive_ints(student):
    """Are EPOCHS and BATCH_SIZE defined as positive ints?"""
    got = student.run(RUN, label="EPOCHS, BATCH_SIZE")
    for name, value in got.items():
        assert value is not None, f"{name} is not defined (did its cell run without errors?)."
        assert isinstance(value, int) and not isinstance(value, bool) and value >= 1, (
            f"{name} is {value!r}; it must be a positive int."
        )
