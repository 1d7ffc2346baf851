"""Reports for CI systems other than GitHub: GitLab's Code Quality report (a subset of the Code
Climate issue format) and JUnit XML (the Ant JUnit schema most CI servers read).

Code Quality: an array of issues, each with ``description``, ``check_name``, ``fingerprint``,
``severity`` and ``location.path`` / ``location.lines.begin`` (GitLab's required fields), plus
the Code Climate spec's ``type`` and ``categories``; paths relative to the repository, no byte
order mark. Fingerprints are the SARIF ones (code, file, subject, occurrence: not the line), so
GitLab's merge request widget tracks a finding across edits.

JUnit: one test suite ``spapi-roles`` whose test cases are the findings, each a failure; a run
without findings is one passing test case.
"""

from __future__ import annotations

import datetime
import json
import re
import socket
import xml.etree.ElementTree as ElementTree
from typing import TextIO

from . import formats, rules
from .reading import printable

SEVERITY = {rules.LEVEL_ERROR: "major", rules.LEVEL_WARNING: "minor", rules.LEVEL_NOTE: "info"}
# Code Climate categories: a missing role is a 403 waiting to happen; restricted data and unused
# roles are about access to personal data; deprecated and retired operations about compatibility.
CATEGORIES = {"SPR401": "Security", "SPR402": "Compatibility", "SPR403": "Compatibility",
              "SPR501": "Security"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_codeclimate(report: formats.Report, stream: TextIO, root: str) -> None:
    """GitLab Code Quality (``artifacts:reports:codequality``)."""
    issues = []
    for d, fingerprint in zip(report.diagnostics, formats.fingerprints(report.diagnostics, root)):
        issues.append({
            "type": "issue",
            "check_name": d.code,
            "description": " ".join(f"{d.code} {d.message}".split()),
            "categories": [CATEGORIES.get(d.code, "Bug Risk")],
            "location": {"path": printable(formats.root_relative(d.path, root)),
                         "lines": {"begin": d.line}},
            "severity": SEVERITY[d.severity],
            "fingerprint": fingerprint,
        })
    json.dump(issues, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", printable(text))


def render_junit(report: formats.Report, stream: TextIO, root: str) -> None:
    """JUnit XML: a failed test case per finding."""
    suites = ElementTree.Element("testsuites")
    count = max(len(report.diagnostics), 1)
    suite = ElementTree.SubElement(suites, "testsuite", {
        "name": "spapi-roles",
        "package": "spapi-roles",
        "id": "0",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "hostname": socket.gethostname() or "localhost",
        "tests": str(count),
        "failures": str(len(report.diagnostics)),
        "errors": "0",
        "time": "0",
    })
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(properties, "property",
                           {"name": "files_checked", "value": str(report.files_checked)})
    for d in report.diagnostics:
        path = formats.root_relative(d.path, root)
        where = f"{path}:{d.line}:{d.column + 1}"
        case = ElementTree.SubElement(suite, "testcase", {
            "name": _xml_text(f"{d.code} {d.name} ({where})"),
            "classname": _xml_text(path.replace("/", ".").rsplit(".py", 1)[0]),
            "time": "0",
        })
        failure = ElementTree.SubElement(case, "failure", {
            "message": _xml_text(d.message), "type": d.code})
        failure.text = _xml_text(f"{where}: {d.code} {d.message}")
    if not report.diagnostics:
        ElementTree.SubElement(suite, "testcase", {
            "name": "every SP-API use is granted by a role the manifest declares",
            "classname": "spapi-roles", "time": "0"})
    ElementTree.SubElement(suite, "system-out").text = _xml_text(formats.summary_line(report))
    ElementTree.SubElement(suite, "system-err")
    ElementTree.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ElementTree.tostring(suites, encoding="unicode"))
    stream.write("\n")
