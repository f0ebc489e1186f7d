"""Root-cause hints (issue 13): the grader reads the submission's source as text, knows which
graded functions call which, and says "fix softmax first" where it matters; staff may grade
the dependent questions against the reference's answers for the failing callees instead.

A buggy softmax (it normalizes over the wrong axis) built from cnn_basics's solution is
graded for real, once as the course's config has it and once with
``dependent_questions = "reference_callees"`` in a copy of the assignment's folder.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder import callgraph, hints
from autograder.assignments import find
from autograder.config import load_config
from autograder.errors import ConfigError
from autograder.results import CheckResult, QuestionResult
from tests.notebooks import ASSIGNMENTS, replace_definition, solution

pytestmark = pytest.mark.slow

QUESTIONS = find("cnn_basics").config.questions
BUGGY_SOFTMAX = """\
def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=0, keepdims=True)  # the wrong axis: columns, not rows
"""
DEPENDENT = {
    "softmax_cross_entropy_backward": (
        "softmax_cross_entropy_backward calls your softmax, which fails its own checks: "
        "fix softmax first."
    ),
    "mlp_loss_and_gradients": (
        "mlp_loss_and_gradients calls your softmax (through softmax_cross_entropy_backward), "
        "which fails its own checks: fix softmax first."
    ),
}


def buggy_softmax():
    return replace_definition(solution(), BUGGY_SOFTMAX)


@pytest.fixture(scope="module")
def as_submitted(grade_once):
    return grade_once("hints-buggy-softmax", buggy_softmax())


@pytest.fixture(scope="module")
def reference_root(tmp_path_factory):
    """A copy of cnn_basics whose config grades dependents with the reference's callees."""
    root = tmp_path_factory.mktemp("assignments")
    folder = root / "cnn_basics"
    shutil.copytree(ASSIGNMENTS / "cnn_basics", folder, ignore=shutil.ignore_patterns("variants"))
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[assignment]\n", '[assignment]\ndependent_questions = "reference_callees"\n'),
        encoding="utf-8",
    )
    assert load_config(config).dependent_questions == "reference_callees"
    return root


@pytest.fixture(scope="module")
def with_reference_callees(grade_once, reference_root):
    return grade_once(
        "hints-buggy-softmax-reference", buggy_softmax(), assignments=(reference_root,)
    )


def lost(graded) -> set[str]:
    return {q["id"] for q in graded.json["questions"] if q["score"] < q["max_score"]}


def test_a_buggy_softmax_makes_three_questions_fail(as_submitted):
    assert lost(as_submitted) == {"softmax", *DEPENDENT}


def test_the_dependent_questions_say_fix_softmax_first(as_submitted):
    for qid, sentence in DEPENDENT.items():
        q = as_submitted.question(qid)
        assert q["hint"] == sentence
        failed = [c for c in q["checks"] if c["status"] != "passed"]
        assert failed
        for c in failed:
            assert c["feedback"].splitlines()[0] == sentence, (qid, c["id"])
    softmax = as_submitted.question("softmax")
    assert "hint" not in softmax
    assert not any("fix softmax first" in c["feedback"] for c in softmax["checks"])
    for qid in set(QUESTIONS) - lost(as_submitted):
        assert "hint" not in as_submitted.question(qid)


def test_the_hint_leads_every_report(as_submitted):
    md = (as_submitted.folder / "report.md").read_text(encoding="utf-8")
    summary = md.split("## Questions")[0]
    for sentence in DEPENDENT.values():
        assert sentence in summary
    html = (as_submitted.folder / "report-student.html").read_text(encoding="utf-8")
    assert all(sentence in html for sentence in DEPENDENT.values())


def test_scores_are_unchanged_by_default(as_submitted):
    for qid in DEPENDENT:
        q = as_submitted.question(qid)
        assert q["score"] == sum(c["points"] for c in q["checks"]) < q["max_score"]
        assert "submitted_score" not in q


def test_staff_may_grade_dependents_with_the_references_callees(
    as_submitted, with_reference_callees
):
    graded = with_reference_callees
    assert graded.json["status"] == "graded", graded.json["error"]

    # softmax itself is graded as before; the questions that only failed through it get
    # every point, and keep the score they had as submitted
    def verdicts(q):
        return [(c["id"], c["status"], c["points"], c["feedback"]) for c in q["checks"]]

    assert verdicts(graded.question("softmax")) == verdicts(as_submitted.question("softmax"))
    for qid in DEPENDENT:
        q = graded.question(qid)
        assert q["score"] == q["max_score"], [c["feedback"] for c in q["checks"]]
        assert q["submitted_score"] == as_submitted.question(qid)["score"]
        assert q["hint"] == DEPENDENT[qid]
    others = set(QUESTIONS) - {"softmax", *DEPENDENT}
    assert {q: graded.scores()[q] for q in others} == {q: as_submitted.scores()[q] for q in others}
    assert graded.json["score"] > as_submitted.json["score"]
    md = (graded.folder / "report.md").read_text(encoding="utf-8")
    assert "graded with the reference's callees" in md


def test_an_own_bug_still_fails_with_the_references_callees(grade_once, reference_root):
    """The reference's answers for softmax do not hide a bug of mlp_loss_and_gradients's own:
    with both bugs, mlp_loss_and_gradients still loses points."""
    nb = buggy_softmax()
    bug = ASSIGNMENTS / "cnn_basics/variants/buggy/mlp_loss_and_gradients_no_relu_mask.py"
    replace_definition(nb, bug.read_text(encoding="utf-8"))
    both = grade_once("hints-two-bugs-reference", nb, assignments=(reference_root,))
    mlp = both.question("mlp_loss_and_gradients")
    assert mlp["score"] < mlp["max_score"]
    assert mlp["submitted_score"] <= mlp["score"]
    sce = both.question("softmax_cross_entropy_backward")
    assert sce["score"] == sce["max_score"]


# -- the call graph, read from source text (no kernel) -------------------------------------


def notebook(*sources, tags=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [new_code_cell(s) for s in sources]
    for index, tag in (tags or {}).items():
        nb.cells[index].metadata["tags"] = [tag]
    return nb


def test_the_solutions_call_graph():
    graph = callgraph.graph(solution(), QUESTIONS)
    assert graph["softmax_cross_entropy_backward"] == {"softmax": ()}
    assert graph["mlp_loss_and_gradients"]["softmax"] == ("softmax_cross_entropy_backward",)
    assert set(graph["mlp_loss_and_gradients"]) == {
        "cross_entropy", "softmax_cross_entropy_backward", "softmax", "linear_backward",
        "relu_backward",
    }  # fmt: skip
    assert graph["softmax"] == {} and graph["conv2d_forward"] == {}


def test_the_graph_follows_the_notebook_as_the_kernel_runs_it():
    nb = notebook(
        "def softmax(z):\n    return z\n",
        "def loss(z):\n    return helper(z)\n",  # through a helper of the student's
        "def helper(z):\n    f = softmax\n    return f(z)\n",
        "%%time\ndef grad(z, softmax=None):\n    return softmax(z)\n",  # a parameter, not the function
        "!pip install nothing\ndef late(z):\n    return softmax(z)\n",
        "def late(z):\n    return z\n",  # redefined later: the last definition counts
        "def broken(:\n    softmax(1)\n",  # does not parse: defines nothing
        "def skipped(z):\n    return softmax(z)\n",
        tags={7: "skip-execution"},
    )
    graph = callgraph.graph(nb, ("softmax", "loss", "grad", "late", "broken", "skipped"))
    assert graph == {
        "softmax": {},
        "loss": {"softmax": ()},
        "grad": {},
        "late": {},
    }


def test_hints_name_the_roots_only():
    def q(qid, ok):
        return QuestionResult(qid, [CheckResult("c", qid, "passed" if ok else "failed", ok, 1.0)])

    questions = [q("softmax", False), q("sce", False), q("mlp", False), q("relu", True)]
    graph = {"sce": {"softmax": ()}, "mlp": {"sce": (), "softmax": ("sce",), "relu": ()}}
    hints.apply(questions, graph)
    by_id = {x.id: x for x in questions}
    assert by_id["softmax"].hint == "" and by_id["relu"].hint == ""
    assert (
        by_id["sce"].hint
        == "sce calls your softmax, which fails its own checks: fix softmax first."
    )
    assert by_id["mlp"].hint == (
        "mlp calls your softmax (through sce), which fails its own checks: fix softmax first."
    )
    assert by_id["mlp"].checks[0].feedback == by_id["mlp"].hint
    hints.apply(questions, graph)  # applying twice adds nothing
    assert by_id["mlp"].checks[0].feedback == by_id["mlp"].hint


def test_a_failed_cell_stays_the_first_cause():
    cell = "np was never defined because cell 2, which defines it, raised X; fix that cell first."
    hint = "sce calls your softmax, which fails its own checks: fix softmax first."
    assert hints.with_hint(f"{cell}\nsce fails", hint) == f"{cell}\n{hint}\nsce fails"
    assert hints.with_hint("sce fails", hint) == f"{hint}\nsce fails"


def test_the_config_option_is_checked(tmp_path):
    config = tmp_path / "config.toml"
    text = (ASSIGNMENTS / "cnn_basics" / "config.toml").read_text(encoding="utf-8")
    config.write_text(
        text.replace("[assignment]\n", '[assignment]\ndependent_questions = "always"\n'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="dependent_questions must be one of"):
        load_config(config)
    assert find("cnn_basics").config.dependent_questions == "as_submitted"
