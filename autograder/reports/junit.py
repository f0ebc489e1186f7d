"""JUnit XML, for any CI that shows test results: one test case per check.

Characters XML 1.0 forbids (ESC, BEL, SOH and the other control characters a student's
exception may print) are dropped, as the junit-xml library and pytest do, so the file always
parses. In a class's file every suite has its own name (the report folder's, unique in OUT),
so two students who both handed in ``hw.ipynb`` never share a suite or a class name.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from autograder.results import Report


def suite(report: Report, key: str | None = None) -> ET.Element:
    """One report's suite; ``key`` names it (default: the submission's name)."""
    checks = report.checks()
    key = key or report.submission
    element = ET.Element(
        "testsuite",
        name=f"{report.assignment or 'unknown'}:{key}",
        tests=str(max(1, len(checks))),
        failures=str(sum(c.status in ("failed", "timeout") for c in checks)),
        errors=str(sum(c.status == "error" for c in checks) + (report.status != "graded")),
        skipped=str(sum(c.status == "skipped" for c in checks)),
        time=f"{float(report.timing.get('total_s', 0.0)):.3f}",
    )
    props = ET.SubElement(element, "properties")
    for name, value in (
        ("score", report.score),
        ("max_score", report.max_score),
        ("status", report.status),
        ("submission", report.submission),
        ("student", report.student or ""),
    ):
        ET.SubElement(props, "property", name=name, value=str(value))
    if report.status != "graded":
        case = ET.SubElement(element, "testcase", classname=_classname(key), name="grade", time="0")
        ET.SubElement(case, "error", message=report.error or report.status, type=report.status)
    for check in checks:
        case = ET.SubElement(
            element,
            "testcase",
            classname=f"{_classname(key)}.{check.question}",
            name=check.id,
            time=f"{check.seconds:.3f}",
        )
        if check.status in ("failed", "timeout"):
            node = ET.SubElement(
                case, "failure", message=_first_line(check.feedback), type=check.status
            )
            node.text = check.feedback
        elif check.status == "error":
            node = ET.SubElement(case, "error", message=_first_line(check.feedback), type="error")
            node.text = check.feedback
        elif check.status == "skipped":
            ET.SubElement(case, "skipped", message=_first_line(check.feedback))
    return element


def render(report: Report) -> str:
    root = ET.Element("testsuites")
    root.append(suite(report))
    return _text(root)


def render_many(reports: list[Report], keys: list[str] | None = None) -> str:
    """A class's suites; ``keys`` (the report folders' names) make every suite's name unique,
    and a name that still repeats gets a number."""
    root = ET.Element("testsuites", name="autograder", tests=str(0), failures="0", errors="0")
    seen: dict[str, int] = {}
    totals = [0, 0, 0]
    for i, report in enumerate(reports):
        key = keys[i] if keys else report.submission
        seen[key] = seen.get(key, 0) + 1
        element = suite(report, key if seen[key] == 1 else f"{key}#{seen[key]}")
        root.append(element)
        for j, name in enumerate(("tests", "failures", "errors")):
            totals[j] += int(element.get(name, "0"))
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(totals[2]))
    return _text(root)


def _classname(key: str) -> str:
    """A class name from a submission's key: path separators and dots become ``_`` (JUnit
    readers split class names at dots into packages)."""
    return re.sub(r"[/\\.\s]+", "_", key).strip("_") or "submission"


_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 does not allow (control characters such as ESC, BEL, SOH)."""


def xml_text(text: str) -> str:
    """Text XML can hold: forbidden characters dropped, as junit-xml and pytest do."""
    return _NOT_XML.sub("", str(text))


def _clean(element: ET.Element) -> None:
    for node in element.iter():
        node.attrib = {k: xml_text(v) for k, v in node.attrib.items()}
        if node.text:
            node.text = xml_text(node.text)


def _text(root: ET.Element) -> str:
    _clean(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _first_line(text: str) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line[:300]
