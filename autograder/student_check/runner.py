"""The student's pre-submission check: the visible checks' fixed inputs, run on your own
machine against your notebook, compared with the reference's answers stored in
``<assignment>.checks.json`` (no solution code is in it, and none is needed).

    python check_notebook.py my.ipynb      # beside the template; needs only NumPy
    python -m autograder check my.ipynb    # the same, where the grader is installed

or, in the notebook's last cell: ``import check_notebook; check_notebook.check()``.

It tells you, per question, which visible checks pass, with the same expected-vs-got
feedback as the grader's report, and what the grader will see: the assignment and version
it will detect, functions missing or with changed signatures, cells that fail without
network or files beside the notebook, and cells that take too long. The grader runs more
checks (hidden ones, randomized ones); passing here is necessary, not sufficient.
Exit status: 0 everything here passes, 1 something fails, 2 the check could not run.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from autograder.feedback import describe_inputs
from autograder.student_check.notebook import (
    TimeLimit,
    call_with_limit,
    describe_error,
    read,
    run_cells,
    where_it_failed,
)
from autograder.student_check.values import Mismatch, Raises, compare, decode

BUNDLE_SUFFIX = ".checks.json"
FORMAT = 1


def find_bundle(assignment: str | None, places: list[Path]) -> Path:
    """The check file of ``assignment`` in one of ``places`` (any single one when unnamed)."""
    for place in places:
        if assignment and (place / f"{assignment}{BUNDLE_SUFFIX}").is_file():
            return place / f"{assignment}{BUNDLE_SUFFIX}"
    if not assignment:
        found = sorted({p for place in places for p in place.glob(f"*{BUNDLE_SUFFIX}")})
        if len(found) == 1:
            return found[0]
    raise FileNotFoundError(
        f"no {assignment or '<assignment>'}{BUNDLE_SUFFIX} found in "
        f"{', '.join(str(p) for p in places)}; put it beside the notebook"
    )


def load_bundle(path: Path) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        other = data.get("format")
        raise ValueError(f"{path} is for another version of this check (format {other})")
    return data


def metadata_problems(nb: dict, bundle: dict) -> list[str]:
    """What the grader will say about the notebook's metadata (assignment and version)."""
    meta = (nb.get("metadata") or {}).get("autograder") or {}
    named, version = meta.get("assignment"), meta.get("version")
    if not named:
        return [
            "the notebook's metadata names no assignment, so the grader will refuse it "
            f"unless told it is {bundle['assignment']}: start from the template"
        ]
    problems = []
    if named != bundle["assignment"]:
        problems.append(
            f"the notebook says it is assignment {named!r}, not {bundle['assignment']!r}"
        )
    if version != bundle["version"]:
        problems.append(
            f"the notebook was made from version {version} of the assignment; the grader uses "
            f"version {bundle['version']} (get the new template)"
        )
    return problems


def signature_problems(namespace: dict[str, Any], bundle: dict) -> list[str]:
    """Functions the grader calls that are missing, or whose parameters changed."""
    problems = []
    for name, params in bundle["functions"].items():
        fn = namespace.get(name)
        if fn is None:
            problems.append(f"{name} is not defined (the grader calls it)")
            continue
        if not callable(fn):
            problems.append(f"{name} is a {type(fn).__name__}, not a function")
            continue
        try:
            have = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
        except (TypeError, ValueError):
            continue
        want = [p["name"] for p in params]
        if [p.name for p in have] != want:
            problems.append(
                f"{name}({', '.join(p.name for p in have)}) has other parameters than the "
                f"grader calls with: {name}({', '.join(want)})"
            )
    return problems


def replay(check: dict, namespace: dict[str, Any], bundle: dict) -> str | None:
    """Run one check's calls; None when they all give the stored answers, else the feedback."""
    calls = check["calls"]
    limit = float(bundle["limits"]["call_timeout_s"])
    for i, call in enumerate(calls):
        name = call["function"]
        parameters = [p["name"] for p in bundle["functions"].get(name, [])]
        args, kwargs = tuple(decode(call["args"])), decode(call["kwargs"])
        expected = decode(call["expected"])
        head = (
            f"{name} fails on the smallest failing input ({i} of {len(calls)} inputs passed):"
            if len(calls) > 1
            else f"{name} fails on this input:"
        )
        fn = namespace.get(name)
        if not callable(fn):
            return f"the notebook does not define {name} (did its cell run without errors?)."
        inputs = describe_inputs(args, parameters, kwargs)
        try:
            got = call_with_limit(fn, limit, *copy.deepcopy(args), **copy.deepcopy(kwargs))
        except TimeLimit:
            return f"{head}\n{inputs}\nIt did not finish within {limit:g} s (the grader's limit)."
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything
            names = [c.__name__ for c in type(error).__mro__]
            if isinstance(expected, Raises) and expected.type_name in names:
                continue
            why = f"\nexpected a {expected.type_name}" if isinstance(expected, Raises) else ""
            where = where_it_failed(error)
            return (
                f"{head}\n{inputs}\nIt raised {describe_error(error)}"
                + (f"\n{where}" if where else "")
                + why
            )
        if isinstance(expected, Raises):
            return f"{head}\n{inputs}\nIt returned {got!r:.200}; expected it to raise a {expected.type_name}."
        try:
            compare(got, expected)
        except Mismatch as mismatch:
            return f"{head}\n{inputs}\n{mismatch}"
    return None


def check_questions(namespace: dict[str, Any], bundle: dict) -> list[dict]:
    """Per question (in the assignment's order): its visible checks and what they gave."""
    by_question: dict[str, dict] = {
        q: {"question": q, "checks": [], "grader_only": 0} for q in bundle["questions"]
    }
    for check in bundle["checks"]:
        feedback = replay(check, namespace, bundle)
        by_question.setdefault(
            check["question"], {"question": check["question"], "checks": [], "grader_only": 0}
        )
        by_question[check["question"]]["checks"].append(
            {
                "id": check["id"],
                "description": check["description"],
                "points": check["points"],
                "status": "passed" if feedback is None else "failed",
                "feedback": feedback or "",
            }
        )
    for left in bundle["grader_only"]:
        if left["question"] in by_question:
            by_question[left["question"]]["grader_only"] += 1
    questions = list(by_question.values())
    for q in questions:
        q["passed"] = bool(q["checks"]) and all(c["status"] == "passed" for c in q["checks"])
    return questions


def run(path: Path, bundle: dict) -> dict:
    """The whole check of one notebook file: what the grader will see, and the checks."""
    nb = read(path)
    problems = metadata_problems(nb, bundle)
    namespace, cells = run_cells(nb, path, float(bundle["limits"]["cell_timeout_s"]))
    limit = float(bundle["limits"]["cell_timeout_s"])
    for c in cells:
        where = f" {c['where']}" if c.get("where") else ""
        if c["status"] == "timeout":
            problems.append(f"cell {c['cell']} was stopped: {c['error']}")
        elif c.get("kind") == "network":
            problems.append(
                f"cell {c['cell']} needs the network, which the grader does not have: {c['error']}"
            )
        elif c.get("kind") == "file":
            problems.append(
                f"cell {c['cell']} needs a file the grader will not have (it gets only the notebook): {c['error']}{where}"
            )
        elif c["status"] == "error":
            problems.append(f"cell {c['cell']} fails: {c['error']}{where}")
        elif c["seconds"] > limit / 2:
            problems.append(
                f"cell {c['cell']} took {c['seconds']:.1f} s of the grader's {limit:g} s per cell"
            )
        if any(m.startswith(("!pip", "%pip", "!conda", "%conda")) for m in c["magics"]):
            problems.append(
                f"cell {c['cell']} installs packages: the grader skips installs and has only the course's packages"
            )
    problems += signature_problems(namespace, bundle)
    return {
        "notebook": str(path),
        "assignment": bundle["assignment"],
        "version": bundle["version"],
        "problems": problems,
        "cells": cells,
        "questions": check_questions(namespace, bundle),
    }


def render(outcome: dict) -> str:
    """The outcome for a terminal."""
    lines = [f"Checking {outcome['notebook']} as {outcome['assignment']} {outcome['version']}", ""]
    lines.append("What the grader will see:")
    lines += [f"  PROBLEM  {p}" for p in outcome["problems"]] or ["  nothing to fix"]
    lines += ["", "Visible checks, per question:"]
    for q in outcome["questions"]:
        passed = sum(c["status"] == "passed" for c in q["checks"])
        more = f"; {q['grader_only']} more check(s) only in the grader" if q["grader_only"] else ""
        mark = "PASS" if q["passed"] else ("FAIL" if q["checks"] else "----")
        lines.append(
            f"  {mark}  {q['question']}: {passed} of {len(q['checks'])} visible check(s) pass{more}"
        )
        for c in q["checks"]:
            if c["status"] != "passed":
                lines.append(f"        {c['id']}: {c['description']}")
                lines += ["          " + line for line in c["feedback"].splitlines()]
    good = sum(q["passed"] for q in outcome["questions"] if q["checks"])
    total = sum(1 for q in outcome["questions"] if q["checks"])
    lines += [
        "",
        f"{good} of {total} question(s) pass every visible check; {len(outcome['problems'])} problem(s) above.",
        "The grader also runs hidden and randomized checks: passing here does not guarantee full marks.",
    ]
    return "\n".join(lines) + "\n"


def ok(outcome: dict) -> bool:
    return not outcome["problems"] and all(q["passed"] for q in outcome["questions"] if q["checks"])


def check(assignment: str | None = None, namespace: dict[str, Any] | None = None) -> bool:
    """From the notebook itself (its last cell): the visible checks against what the notebook
    defines now. Whether everything passes."""
    namespace = namespace if namespace is not None else vars(sys.modules["__main__"])
    bundle = load_bundle(find_bundle(assignment, [Path.cwd(), Path(__file__).resolve().parent]))
    outcome = {
        "notebook": "this notebook",
        "assignment": bundle["assignment"],
        "version": bundle["version"],
        "problems": signature_problems(namespace, bundle),
        "cells": [],
        "questions": check_questions(namespace, bundle),
    }
    print(
        render(outcome)
        + "(Cells were not rerun; run python check_notebook.py NOTEBOOK for the full check.)"
    )
    return ok(outcome)


def main(argv: list[str] | None = None, *, prog: str = "python check_notebook.py") -> int:
    p = argparse.ArgumentParser(prog=prog, description="Check a notebook before you submit it.")
    p.add_argument("notebook", type=Path)
    p.add_argument(
        "--checks", type=Path, help=f"the {BUNDLE_SUFFIX} file (default: found by assignment)"
    )
    p.add_argument("--json", type=Path, help="also write the outcome as JSON to this file")
    args = p.parse_args(argv)
    try:
        nb = read(args.notebook)
        named = ((nb.get("metadata") or {}).get("autograder") or {}).get("assignment")
        places = [Path(__file__).resolve().parent, args.notebook.resolve().parent]
        bundle = load_bundle(args.checks or find_bundle(named, places))
        outcome = run(args.notebook, bundle)
    except (OSError, ValueError, KeyError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    print(render(outcome), end="")
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=1), encoding="utf-8")
    return 0 if ok(outcome) else 1


if __name__ == "__main__":
    sys.exit(main())
