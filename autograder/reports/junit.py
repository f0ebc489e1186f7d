"""JUnit XML, for any CI that shows test results: one test case per check."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from autograder.results import Report


def suite(report: Report) -> ET.Element:
    checks = report.checks()
    element = ET.Element(
        "testsuite",
        name=f"{report.assignment or 'unknown'}:{report.submission}",
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
    ):
        ET.SubElement(props, "property", name=name, value=str(value))
    if report.status != "graded":
        case = ET.SubElement(
            element, "testcase", classname=report.submission, name="grade", time="0"
        )
        ET.SubElement(case, "error", message=report.error or report.status, type=report.status)
    for check in checks:
        case = ET.SubElement(
            element,
            "testcase",
            classname=f"{report.submission}.{check.question}",
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


def render_many(reports: list[Report]) -> str:
    root = ET.Element("testsuites")
    for report in reports:
        root.append(suite(report))
    return _text(root)


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
