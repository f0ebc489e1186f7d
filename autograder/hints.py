"""Root-cause hints: a question that fails while a graded function it calls fails its own
checks says so first ("mlp_loss_and_gradients calls your softmax, which fails its own checks:
fix softmax first"), since fixing that one function may fix several questions.

The call graph comes from the submission's source, read as text (:mod:`autograder.callgraph`);
which questions failed comes from the verdicts, all in the grader's process. Scores do not
change here (see :mod:`autograder.dependents` for grading with the reference's callees).
"""

from __future__ import annotations

from autograder.callgraph import Graph
from autograder.results import QuestionResult


def lost(q: QuestionResult) -> bool:
    """Whether a question lost points (a question without checks lost none)."""
    return q.score < q.max_score - 1e-9


def roots(question: str, graph: Graph, failing: set[str]) -> list[str]:
    """The failing graded functions ``question`` calls that call no failing graded function
    themselves: where to start (all the failing ones it calls when they call each other)."""
    called = [name for name in graph.get(question, {}) if name in failing]
    first = [name for name in called if not any(other in failing for other in graph.get(name, {}))]
    return first or called


def sentence(question: str, causes: list[str], graph: Graph) -> str:
    """``mlp_loss_and_gradients calls your softmax (through softmax_cross_entropy_backward),
    which fails its own checks: fix softmax first.``"""
    named = []
    for name in causes:
        via = graph.get(question, {}).get(name, ())
        named.append(f"{name} (through {', '.join(via)})" if via else name)
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    if len(causes) == 1:
        return f"{question} calls your {listed}, which fails its own checks: fix {causes[0]} first."
    return f"{question} calls your {listed}, which fail their own checks: fix them first."


def apply(questions: list[QuestionResult], graph: Graph) -> None:
    """Give every question that lost points while calling a failing graded function its
    hint, as ``hint`` and as the first line of each of its failed checks' feedback (after
    any failed cell the proxy named there)."""
    failing = {q.id for q in questions if lost(q)}
    for q in questions:
        if q.id not in failing:
            continue
        causes = roots(q.id, graph, failing)
        if not causes:
            continue
        q.hint = sentence(q.id, causes, graph)
        for c in q.checks:
            if c.status != "passed" and q.hint not in c.feedback:
                c.feedback = with_hint(c.feedback, q.hint)


CELL_CAUSE = "; fix that cell first."
"""How the proxy's root cause of a NameError ends: a failed cell comes before any function."""


def with_hint(feedback: str, hint: str) -> str:
    """The hint as the feedback's first line, after the failed cells the proxy put first
    (a cell that did not run is a deeper cause than the functions it left undefined)."""
    lines = feedback.splitlines()
    cells = 0
    while cells < len(lines) and lines[cells].endswith(CELL_CAUSE):
        cells += 1
    return "\n".join([*lines[:cells], hint, *lines[cells:]]).rstrip()
