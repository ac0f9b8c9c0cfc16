"""A drift report as JUnit XML, so CI dashboards show drift as test failures.

One `<testsuite>` per kind, one `<testcase>` per object (managed or unmanaged); drifted objects
carry a `<failure>` whose message says what is wrong and whose text lists the field diffs.
Built with xml.etree, so names and values are always escaped into valid XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection

from cloudinary_state.audit import DriftItem, DriftReport
from cloudinary_state.engine.masking import scrub_text
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.render.text import format_value


def _failure_text(item: DriftItem) -> str:
    lines = [f"{d.path}: live {format_value(d.before)}, config {format_value(d.after)}" for d in item.diffs]
    lines += [f"note: {n}" for n in item.notes]
    return "\n".join(lines)


def _testcase(suite: ET.Element, report: DriftReport, item: DriftItem, secrets: Collection[str]) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"cloudinary-state.{report.environment}.{item.kind}",
            "name": item.name,
            "time": "0",
        },
    )
    if item.drifted:
        failure = ET.SubElement(
            case, "failure", {"message": scrub_text(item.summary(), secrets), "type": item.status}
        )
        failure.text = scrub_text(_failure_text(item), secrets)


def render_junit(report: DriftReport, *, secrets: Collection[str] = ()) -> str:
    root = ET.Element("testsuites", {"name": f"cloudinary-state drift {report.environment}"})
    total_failures = 0
    for kind in REGISTRY.names():
        items = [i for i in report.items if i.kind == kind]
        failures = sum(1 for i in items if i.drifted)
        total_failures += failures
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{report.environment}/{kind}",
                "tests": str(len(items)),
                "failures": str(failures),
                "errors": "0",
                "skipped": "0",
                "time": "0",
            },
        )
        for item in items:
            _testcase(suite, report, item, secrets)
    root.set("tests", str(len(report.items)))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
