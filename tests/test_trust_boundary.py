"""The trust boundary against the second red team (issue 15) and our own further attacks.

Each attack in ``tests/attacks.py`` is a test of its own with its exact verdict, under
bubblewrap and under a plain process; attacks share a grade per notebook (``COMBOS``).
Classes the attack notebooks cannot show (the accuracy check, a neighbour in a batch,
names in a class folder, the intake) have their own tests here, in test_learning.py and
in the broken inputs of test_redteam.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.grading import grade
from autograder.options import Options
from autograder.reports import report_dir, write_all
from autograder.reports.write import MAX_REPORT_BYTES
from autograder.training import measure
from tests import attacks, redteam
from tests.kernels import kinds_available
from tests.notebooks import append_cells, replace_definition, solution

pytestmark = pytest.mark.slow

KINDS = kinds_available()
LIMITS = dict(redteam.LIMITS)
_GRADED: dict[tuple[str, str], tuple[dict, str, Path, dict[str, dict[str, str]]]] = {}


def _canary(folder: Path) -> dict[str, str]:
    """A host folder an attack points at: a 2 MiB file and a result file with a secret."""
    folder.mkdir(parents=True)
    (folder / "big.bin").write_bytes(os.urandom(2 * 2**20))
    (folder / "result.json").write_text(json.dumps({"value": redteam.SECRET}))
    for path in (folder, *folder.iterdir()):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return _digests(folder)


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _notebook(combo: str, root: Path) -> tuple[nbformat.NotebookNode, dict[str, Path]]:
    cells, canaries = [], {}
    for attack in attacks.COMBOS[combo]:
        head = ""
        if attack.question:
            head += f"_real_{attack.question} = {attack.question}\n"
        if attack.canary:
            canaries[attack.name] = root / f"canary-{attack.name}"
            head += f"CANARY = {str(canaries[attack.name])!r}\n"
        cells.append(head + attack.source)
    return append_cells(solution(), *cells), canaries


def _graded(combo: str, kind: str, root: Path):
    """Grade an attack notebook once per sandbox kind (shared by its attacks' tests)."""
    if (combo, kind) not in _GRADED:
        folder = root / f"{combo}-{kind}"
        folder.mkdir()
        nb, canaries = _notebook(combo, folder)
        before = {name: _canary(path) for name, path in canaries.items()}
        path = folder / f"attacks-{combo}-{kind}.ipynb"
        nbformat.write(nb, path)
        report = grade(path, Options(sandbox=kind, limits=LIMITS))
        out = write_all(report, report_dir(folder / "out", path))
        data = json.loads((out / "report.json").read_text())
        text = "\n".join(p.read_text(errors="replace") for p in sorted(out.iterdir()))
        after = {name: _digests(path) for name, path in canaries.items()}
        left = set(Path(tempfile.gettempdir()).glob(f"autograder-*/work/{path.name}"))
        _GRADED[(combo, kind)] = (data, text, out, {"before": before, "after": after, "left": left})
    return _GRADED[(combo, kind)]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in redteam.environment_secret()}
    os.environ.update(redteam.environment_secret())
    yield tmp_path_factory.mktemp("attacks")
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("attack", attacks.ATTACKS, ids=lambda a: a.name)
def test_each_attack_gets_its_exact_verdict(attack, kind, root):
    data, text, out, host = _graded(attack.combo, kind, root)
    assert data["status"] == "graded", data.get("error")
    if attack.question:
        q = next(q for q in data["questions"] if q["id"] == attack.question)
        lost = attack.lost
        if attack.lost_as_root is not None and not attacks.own_user(data):
            lost = attack.lost_as_root
        if lost:
            assert q["score"] < q["max_score"], attack.question
        else:
            assert q["score"] == q["max_score"], [c["feedback"] for c in q["checks"]]
    if attack.canary:  # the grader followed nothing the attack planted
        assert host["after"][attack.name] == host["before"][attack.name]
    if attack.verdict:
        attack.verdict(data, text, kind, out)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("combo", sorted(attacks.COMBOS))
def test_attacks_touch_nothing_else(combo, kind, root):
    """Every question no attack targets keeps full marks; every report file keeps to its
    bound and holds no secret of the grader; the sandbox's folders are gone."""
    data, text, out, host = _graded(combo, kind, root)
    targeted = {a.question for a in attacks.COMBOS[combo] if a.question}
    untouched = {
        q["id"]: [c["feedback"] for c in q["checks"] if c["status"] != "passed"]
        for q in data["questions"]
        if q["id"] not in targeted and q["score"] < q["max_score"]
    }
    assert untouched == {}
    assert all(p.stat().st_size <= MAX_REPORT_BYTES for p in out.iterdir())
    assert redteam.SECRET not in text and os.environ["GITHUB_TOKEN"] not in text
    assert host["left"] == set()


# -- class 1 on the CIFAR-10 assignment: facts the grader checks itself ------------------

LYING_MODEL = '''
def count_parameters(model):
    """Counts nothing, whatever the model."""
    return 0
'''

SAYS_IT_IS_SGD = '''
def make_optimizer(model):
    class Optimizer:
        """Claims to be SGD and never changes a weight."""
        param_groups = [{"params": list(model.parameters())}]

        @property
        def __class__(self):
            return torch.optim.SGD

        def zero_grad(self, set_to_none=True):
            pass

        def step(self, closure=None):
            return None

        def state_dict(self):
            return {}

    return Optimizer()
'''


@pytest.mark.parametrize("kind", KINDS)
def test_a_lying_count_and_an_optimizer_that_only_claims_to_be_sgd_lose_their_points(
    kind, tmp_path
):
    nb = solution("cifar10_cnn")
    nb = replace_definition(nb, textwrap.dedent(LYING_MODEL))
    nb = replace_definition(nb, textwrap.dedent(SAYS_IT_IS_SGD))
    path = tmp_path / "claims.ipynb"
    nbformat.write(nb, path)
    report = grade(path, Options(sandbox=kind, train=False))
    assert report.status == "graded"
    lost = {q.id for q in report.questions if any(c.status == "failed" for c in q.checks)}
    assert lost == {"count_parameters", "make_optimizer"}  # the accuracy check is not run
    count = next(q for q in report.questions if q.id == "count_parameters")
    assert all(c.status == "failed" for c in count.checks if c.id != "returns_an_int")
    feedback = " ".join(
        c.feedback or "" for q in report.questions if q.id == "make_optimizer" for c in q.checks
    )
    assert "did not change" in feedback


def test_the_training_section_takes_no_threshold_data_set_or_device_from_the_kernel():
    """What the kernel's setup answer claims is bounded data; NumPy integers are read."""
    claim = {
        "epochs_requested": np.int64(3),
        "batch_size": np.int32(64),
        "threshold": 10.0,
        "dataset": "CIFAR-10 (MD5 verified)",
        "device": "cuda",
        "status": "passed",
        "optimizer": "S" * 10_000,
    }
    info = measure.setup_info(claim)
    assert info["epochs_requested"] == 3 and info["batch_size"] == 64
    assert not {"threshold", "dataset", "device", "status"} & set(info)
    assert len(info["optimizer"]) <= 60
    with pytest.raises(AssertionError):
        measure.setup_info({"epochs_requested": np.float64(2.0)})
