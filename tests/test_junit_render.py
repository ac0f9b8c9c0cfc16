"""The JUnit rendering of a drift report: valid XML, one test case per object, drift as failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cloudinary_state.audit import DriftItem, DriftReport
from cloudinary_state.engine.plan import FieldDiff
from cloudinary_state.render.junit import render_junit

SECRET = "hook-token-5f1e2d"


def _report() -> DriftReport:
    return DriftReport(
        environment="staging",
        cloud_name="acme-staging",
        items=(
            DriftItem("metadata_field", "sku", "in_sync"),
            DriftItem(
                "metadata_field",
                "status",
                "changed",
                (FieldDiff("label", "Stat<us> & co", "Status"),),
            ),
            DriftItem("transformation", "thumb", "missing"),
            DriftItem("transformation", "hero", "in_sync"),
            DriftItem(
                "upload_preset",
                "product_assets",
                "changed",
                (FieldDiff("settings.notification_url", "(sensitive)", "(sensitive, changed)", True),),
                notes=(f"a note that leaks {SECRET}",),
            ),
            DriftItem("upload_mapping", "legacy", "unmanaged", would_delete=True),
            DriftItem("upload_mapping", 'we"ird]]>name', "unmanaged"),
        ),
    )


def test_one_testcase_per_object_and_failures_for_drift() -> None:
    root = ET.fromstring(render_junit(_report(), secrets={SECRET}))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 7 == int(root.get("tests", "0"))
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {"status", "thumb", "product_assets", "legacy", 'we"ird]]>name'}
    assert int(root.get("failures", "0")) == 5


def test_suites_count_their_own_cases() -> None:
    root = ET.fromstring(render_junit(_report()))
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure") is not None)
    suites = {s.get("name"): int(s.get("failures", "0")) for s in root.findall("testsuite")}
    assert suites == {
        "staging/metadata_field": 1,
        "staging/transformation": 1,
        "staging/metadata_rule": 0,
        "staging/streaming_profile": 0,
        "staging/upload_preset": 1,
        "staging/upload_mapping": 2,
        "staging/trigger": 0,
    }


def test_failure_says_what_and_values_are_escaped_and_scrubbed() -> None:
    text = render_junit(_report(), secrets={SECRET})
    assert SECRET not in text
    root = ET.fromstring(text)
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    status_failure = by_name["status"].find("failure")
    assert status_failure is not None
    assert status_failure.get("type") == "changed"
    assert "label" in (status_failure.get("message") or "")
    assert 'live "Stat<us> & co"' in (status_failure.text or "")
    legacy = by_name["legacy"].find("failure")
    assert legacy is not None and "would delete" in (legacy.get("message") or "")
    assert by_name["sku"].get("classname") == "cloudinary-state.staging.metadata_field"


def test_clean_report_has_no_failures() -> None:
    clean = DriftReport("production", "acme", (DriftItem("transformation", "a", "in_sync"),))
    root = ET.fromstring(render_junit(clean))
    assert root.get("failures") == "0"
    assert [c.get("name") for c in root.iter("testcase")] == ["a"]
