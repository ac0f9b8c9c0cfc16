"""Shared harness for the drift / import / diff / promote integration tests.

Two emulated clouds (staging, production) on one emulator on 127.0.0.1; a config directory
with both environments in tmp_path; the CLI run through its console entry point; and the
real SDK, called directly, for the out-of-band changes a person makes in the console.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudinary.api
import pytest
import yaml
from cli_runner import Result, run_cli

from cloudinary_state.emulator import CloudConfig, EmulatorServer

STAGING, PRODUCTION = "acme-staging", "acme-prod"
API_SECRETS = {STAGING: "stg-api-secret-NEVER-PRINTED-41", PRODUCTION: "prd-api-secret-NEVER-PRINTED-42"}
WEBHOOK_SECRETS = {
    "staging": "https://hooks.example.test/stg?token=STG-HOOK-SECRET-11",
    "production": "https://hooks.example.test/prd?token=PRD-HOOK-SECRET-22",
}
DOMAINS = {"staging": "https://staging-media.acme.example", "production": "https://media.acme.example"}
ADDONS = {"staging": {"google_tagging": True}, "production": {"google_tagging": False}}

RESOURCES: dict[str, Any] = {
    "metadata_fields": {
        "sku": {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
    },
    "transformations": {
        "thumb": {"transformation": "c_fill,h_100,w_100"},
        "hero": {"transformation": "c_scale,w_1600/f_auto,q_auto"},
    },
    "upload_presets": {
        "product_assets": {
            "unsigned": False,
            "settings": {
                "folder": "product_assets",
                "tags": ["product"],
                "transformation": "t_thumb",
                "categorization": "google_tagging",
                "notification_url": "${env.WEBHOOK_URL}",
            },
        }
    },
    "upload_mappings": {"product_assets": {"template": "${var.source_domain}/uploads/"}},
}


@dataclass
class Workspace:
    config_dir: Path
    emu: EmulatorServer
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def write_environment(self, env: str, **changes: Any) -> None:
        document: dict[str, Any] = {
            "cloud_name": STAGING if env == "staging" else PRODUCTION,
            "credentials": f"CLOUDINARY_URL_{env.upper()}",
            "include": ["common/*.yaml"],
            "variables": {"source_domain": DOMAINS[env]},
            "addons": ADDONS[env],
        }
        document.update(changes)
        path = self.config_dir / "environments" / f"{env}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def write_resources(self, resources: Mapping[str, Any], name: str = "resources.yaml") -> Path:
        path = self.config_dir / "environments" / "common" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(dict(resources), sort_keys=False))
        return path

    def use_env(self, env: str) -> None:
        """The process environment of a run for `env` (each environment has its own webhook)."""
        self.monkeypatch.setenv("WEBHOOK_URL", WEBHOOK_SECRETS[env])

    def run(self, *args: str, env: str | None = None) -> Result:
        if env is not None:
            self.use_env(env)
        return run_cli(self.config_dir, self.capsys, *args)

    def sdk(self, cloud: str, function: str, *args: Any, **params: Any) -> Any:
        """An out-of-band change (or read), as a person with the SDK would make it."""
        options = {
            "cloud_name": cloud,
            "api_key": "emu-key",
            "api_secret": API_SECRETS[cloud],
            "upload_prefix": self.emu.url,
        }
        return getattr(cloudinary.api, function)(*args, **params, **options)

    def apply(self, env: str) -> None:
        result = self.run("apply", "--env", env, "--auto-approve", env=env)
        assert result.code == 0, result.out + result.err

    def plan_is_empty(self, env: str) -> bool:
        result = self.run("plan", "--env", env, "--detailed-exitcode", env=env)
        assert result.code in (0, 2), result.out + result.err
        return result.code == 0


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Workspace]:
    clouds = [
        CloudConfig(STAGING, "emu-key", API_SECRETS[STAGING], frozenset({"google_tagging"})),
        CloudConfig(PRODUCTION, "emu-key", API_SECRETS[PRODUCTION], frozenset()),
    ]
    with EmulatorServer(clouds) as emu:
        monkeypatch.setenv("CLOUDINARY_URL_STAGING", emu.cloudinary_url(STAGING))
        monkeypatch.setenv("CLOUDINARY_URL_PRODUCTION", emu.cloudinary_url(PRODUCTION))
        ws = Workspace(tmp_path / "config", emu, capsys, monkeypatch)
        ws.write_environment("staging")
        ws.write_environment("production")
        ws.write_resources(RESOURCES)
        yield ws
