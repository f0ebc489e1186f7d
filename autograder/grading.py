"""``grade()``: one submission, from file to report. The recipe, top to bottom:

    load + validate ─▶ sandbox ─▶ execute the notebook ─▶ run the checks ─▶ report

Every path ends in a :class:`~autograder.results.Report`: bad input is
``rejected``, a grader fault is ``error``, and a hostile notebook is simply
graded for what its code really does.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from nbformat import NotebookNode

# what a grade needs before its kernel starts; the rest (NumPy, pytest, the checks'
# machinery) is imported by the warm-up thread while the kernel starts (see _grade)
from autograder import (
    assignments,
    components,
    environment,
    intake,
    redact,
    reference,
    sandbox,
    submissions,
)
from autograder.assignments import Assignment
from autograder.config import with_overrides
from autograder.errors import GraderError, Rejected
from autograder.intake import Submission
from autograder.kernel import Kernel
from autograder.options import Options
from autograder.results import CheckResult, QuestionResult, Report


def grade(
    path: Path,
    options: Options | None = None,
    *,
    name: str | None = None,
    student: str | None = None,
) -> Report:
    """Grade one notebook. Never raises for anything a submission can do.

    ``name``: what reports call the submission (in a batch, its path relative to the
    batch's folder; by default the file's name); ``student``: who handed it in.
    """
    options = options or Options()
    started = time.monotonic()
    path = Path(path)
    name = name or path.name
    report = _grade_or_refuse(path, options, name, started)
    report.student = student or submissions.stem(path.name)
    return report


def _grade_or_refuse(path: Path, options: Options, name: str, started: float) -> Report:
    try:
        submission = intake.load(path, assignment=options.assignment)
        assignment = assignments.find(submission.assignment, options.assignments)
    except Rejected as rejected:
        report = Report.rejected(name, str(rejected), sha256=_sha_or_none(path))
        report.assignment = (
            options.assignment
            if options.assignment and _known(options.assignment, options.assignments)
            else None
        )
        return _finish(report, started, None, None)
    except GraderError as error:  # an installation or configuration fault, not the student's
        report = Report.failed(
            name,
            f"{str(error).rstrip('.')}.",
            sha256=_sha_or_none(path),
            assignment=options.assignment,
        )
        return _finish(report, started, None, None)
    report = Report(
        submission=name,
        status="graded",
        sha256=submission.sha256,
        assignment=assignment.name,
        max_score=assignment.config.max_score,
        assignment_version=assignment.config.version,
        notebook_version=submission.notebook_version,
        notes=list(submission.notes),
    )
    if submission.notebook_version and submission.notebook_version != assignment.config.version:
        report.notes.append(
            f"the notebook was made from version {submission.notebook_version} of the "
            f"assignment; the grader uses version {assignment.config.version}"
        )
    try:
        _grade(submission, assignment, options, report, started)
    except GraderError as error:
        report = _as_error(report, str(error))
    except Exception as error:  # noqa: BLE001 - a grader bug must still leave a report
        report = _as_error(
            report,
            f"the grader failed unexpectedly ({type(error).__name__}: {error}); "
            "this is a bug in the grader, not in the submission",
        )
        report.flags.append("grader traceback:\n" + traceback.format_exc(limit=8))
    return _finish(report, started, submission, assignment)


def _grade(
    submission: Submission,
    assignment: Assignment,
    options: Options,
    report: Report,
    started: float,
) -> None:
    config = assignment.config
    limits = with_overrides(config.limits, options.limits)
    modules = (*environment.COURSE_MODULES, *config.environment.modules)
    environment.require(modules)
    executable = _executable(submission.notebook)
    report.notes.extend(environment.neutralize_installs(executable, modules))
    deadline = started + limits.total_timeout_s
    kind, fallback = sandbox.choose(options.sandbox)
    parts = components.create(assignment, options)
    needs = components.sandbox_needs(parts)
    spec = sandbox.SandboxSpec(
        kind=kind,
        limits=limits,
        memory_mb=needs.memory_mb or limits.memory_mb,
        device=needs.device,
        gpu=options.gpu,
        threads=sandbox.kernel_threads(options.threads, limits.max_processes),
        data_files=needs.data_files,
        fallback=fallback,
    )
    box = sandbox.Sandbox(spec, submission.path, filename=_safe_filename(submission.path.name))
    kernel = Kernel(box, limits, deadline=deadline, argv=options.kernel_argv)
    # the reference, the stored truths and the checks' imports load while the kernel starts
    warm = reference.Warmup(assignment, after=box.launched)
    warm.start()
    try:
        report.sandbox = box.describe()
        kernel.start()
        from autograder import callgraph, dependents, hints, truths, untouched
        from autograder.plugin import GradingPlugin, run_checks
        from autograder.proxy import Student

        student = Student(kernel, limits=limits)
        student.install()
        for part in parts:
            part.before_notebook(student, kernel)  # before any student code runs
        run = kernel.run_notebook(executable)
        report.notebook = run.section(kernel.restarts, spec.memory_mb, limits.max_output_kb)
        if untouched.is_template(submission.notebook, assignment.template):  # issue 13
            report.notebook["same_as_template"] = True
            report.notes.append(untouched.SENTENCE)
        student.why_undefined = run.why_undefined
        checks_started = time.monotonic()
        ref = warm.result()
        student.signatures = reference.signatures(ref, list(config.questions))
        plugin = GradingPlugin(
            student=student,
            reference=ref,
            questions=config.questions,
            deadline=deadline,
            components=parts,
        )
        report.questions = _questions(config.questions, run_checks(assignment.checks, plugin))
        # root-cause hints (issue 13): who calls whom, read from the source as text
        graph = callgraph.graph(submission.notebook, config.questions)
        hints.apply(report.questions, graph)
        if config.dependent_questions == "reference_callees":
            dependents.regrade(
                report.questions, graph, checks=assignment.checks, student=student,
                reference=ref, order=config.questions, deadline=deadline, components=parts,
            )  # fmt: skip
        truths.save(assignment)  # the first grade in this process: for the next process
        if student.tampered:
            report.flags.append(student.tampered)
        report.timing["checks_s"] = round(time.monotonic() - checks_started, 3)
        report.notebook["kernel_restarts"] = kernel.restarts
    finally:
        kernel.close()
        box.close()
    for part in parts:
        part.report(report)
    total = sum(q.max_score for q in report.questions)
    if abs(total - config.max_score) > 1e-6:
        raise GraderError(
            f"the checks of {assignment.name} are worth {total:g} points, but config.toml "
            f"says {config.max_score:g}"
        )


def _executable(nb: NotebookNode) -> NotebookNode:
    """The notebook as it is executed: outputs of the submitted file play no part."""
    import copy

    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return clean


def _questions(order: tuple[str, ...], results: list[CheckResult]) -> list[QuestionResult]:
    by_question: dict[str, QuestionResult] = {q: QuestionResult(q) for q in order}
    for result in results:
        by_question.setdefault(result.question, QuestionResult(result.question)).checks.append(
            result
        )
    return list(by_question.values())


def _finish(
    report: Report, started: float, submission: Submission | None, assignment: Assignment | None
) -> Report:
    report.timing["total_s"] = round(time.monotonic() - started, 3)
    redact.report(report, submission, solution=assignment.solution if assignment else None)
    return report


def _as_error(report: Report, sentence: str) -> Report:
    report.status = "error"
    report.error = sentence
    report.questions = []
    return report


def _safe_filename(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return keep if keep.endswith(".ipynb") else keep + ".ipynb"


def _sha_or_none(path: Path) -> str | None:
    try:
        return intake.sha256_of(path) if path.is_file() else None
    except OSError:
        return None


def _known(name: str, extra: tuple[Path, ...]) -> bool:
    return name in assignments.folders(extra)
