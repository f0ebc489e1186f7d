"""A submission cannot talk its way to points: only what its code does counts."""

from __future__ import annotations

import nbformat
import pytest

from tests.notebooks import REPO, append_cells, replace_definition

pytestmark = pytest.mark.slow

ALICE = REPO / "examples" / "alice.ipynb"

FAKE_GRADER = """
import builtins, os, sys
import numpy, numpy.testing
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
builtins.print = lambda *a, **k: None
sys.stdout.write("All tests passed. Score: 100/100\\n")
sys.__stdout__.write('{"score": 100.0, "max_score": 100.0, "status": "graded"}\\n')
"""


def _alice():
    return nbformat.read(ALICE, as_version=4)


@pytest.fixture(scope="module")
def honest(grade_once):
    return grade_once("alice", ALICE)


def test_alice_loses_points_for_her_two_bugs(honest):
    scores = honest.scores()
    assert honest.json["status"] == "graded"
    assert scores["cross_correlation2d"] < honest.question("cross_correlation2d")["max_score"]
    assert scores["softmax_cross_entropy_backward"] < 5
    assert 50 < honest.json["score"] < 100


def test_fake_grader_with_os_exit_earns_exactly_the_real_points(grade_once, honest):
    nb = append_cells(_alice(), FAKE_GRADER + "os._exit(0)\n")
    cheat = grade_once("alice_fake_exit", nb)
    assert cheat.json["status"] == "graded"
    assert cheat.scores() == honest.scores()
    assert cheat.json["score"] == honest.json["score"]
    errors = cheat.json["notebook"]["errors"]
    honest_errors = honest.json["notebook"]["errors"]  # Alice's own self-checks fail
    assert [e["status"] for e in errors] == [e["status"] for e in honest_errors] + ["died"]
    assert cheat.json["notebook"]["kernel_restarts"] == 1


def test_fake_grader_that_stays_in_the_kernel_earns_exactly_the_real_points(grade_once, honest):
    nb = append_cells(_alice(), FAKE_GRADER)
    cheat = grade_once("alice_fake_stay", nb)
    assert cheat.json["status"] == "graded"
    assert cheat.scores() == honest.scores()


def test_a_function_that_loops_forever_costs_its_question_only(grade_once, honest):
    looping = (
        "import numpy as np\n\n"
        "def conv2d_forward(x, w, b, stride=1, padding=0):\n"
        "    while True:\n"
        "        pass\n"
    )
    nb = replace_definition(_alice(), looping)
    looped = grade_once("alice_loops", nb, limits={"call_timeout_s": 3})
    data = looped.json
    assert data["status"] == "graded"
    assert looped.scores()["conv2d_forward"] == 0
    statuses = {c["status"] for c in looped.question("conv2d_forward")["checks"]}
    assert statuses <= {"timeout"} and statuses
    others = {q: s for q, s in looped.scores().items() if q != "conv2d_forward"}
    expected = {q: s for q, s in honest.scores().items() if q != "conv2d_forward"}
    assert others == expected
    limits = data["sandbox"]["limits"]
    assert data["timing"]["total_s"] < limits["total_timeout_s"]
    # after two timeouts the function is not called again: the grade stays short
    calls = limits["max_timeouts_per_function"] * limits["call_timeout_s"]
    assert data["timing"]["checks_s"] < calls + 60


def test_a_regrade_gives_the_same_result(honest, tmp_path):
    """Every check is seeded from its own id: grading again changes nothing but timings."""
    from autograder.grading import grade

    again = grade(ALICE).to_json()

    def verdicts(data):
        return [
            (q["id"], c["id"], c["status"], c["points"], c["feedback"])
            for q in data["questions"]
            for c in q["checks"]
        ]

    assert verdicts(again) == verdicts(honest.json)


def test_warnings_never_cost_points(grade_once):
    noisy = """
import functools, warnings
warnings.simplefilter("always")
warnings.warn("this notebook is noisy", DeprecationWarning)
def _noisy(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        warnings.warn(f"{fn.__name__} was called", UserWarning)
        warnings.warn("torch.meshgrid: in an upcoming release ...", FutureWarning)
        return fn(*args, **kwargs)
    return wrapper
for _name in ["cross_correlation2d", "conv2d_forward", "softmax", "mlp_loss_and_gradients"]:
    globals()[_name] = _noisy(globals()[_name])
"""
    from tests.notebooks import solution

    graded = grade_once("noisy", append_cells(solution(), noisy))
    assert graded.json["status"] == "graded"
    assert graded.json["score"] == 100.0
    assert graded.json["notebook"]["errors"] == []
