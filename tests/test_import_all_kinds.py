"""Issue 10: import, then plan is empty, with all seven kinds in one account: the example
config (every kind) applied to the embedded emulator, imported into a new project, and that
project planned against the same account."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cloudinary_state import Project
from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parents[1]
STATE = Path(".cloudinary-state") / "emulator" / "staging.json"
WEBHOOK = "https://hooks.staging.acme.example/cloudinary?token=T0K3N-5ECRET-4a1"


def test_import_of_an_account_with_every_kind_then_plan_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGING_WEBHOOK_URL", WEBHOOK)  # the preset's webhook: a secret
    source = tmp_path / "source"
    shutil.copytree(REPO / "environments", source / "environments")
    with Project.open(source).connect("staging", emulator=True) as conn:
        applied = conn.apply()
        assert applied.report is not None and not applied.report.failed
        kinds_applied = {change.kind for change in applied.plan.changes}
        assert kinds_applied == set(REGISTRY.names()), kinds_applied  # the example has them all
        run = conn.import_(tmp_path / "imported")
    assert set(run.result.counts) == set(REGISTRY.names()) and all(run.result.counts.values())

    imported = tmp_path / "imported"
    (imported / STATE).parent.mkdir(parents=True)
    shutil.copy(source / STATE, imported / STATE)  # the same emulated account
    assert not any(WEBHOOK in text or "T0K3N" in text for text in run.result.files.values())
    assert run.result.placeholders  # the webhook came back as a variable to set
    for placeholder in run.result.placeholders:
        assert placeholder.path == "settings.notification_url", placeholder
        monkeypatch.setenv(placeholder.variable, WEBHOOK)
    with Project.open(imported).connect("staging", emulator=True) as again:
        plan = again.plan()
    assert plan.changes == (), [c.key for c in plan.changes]
