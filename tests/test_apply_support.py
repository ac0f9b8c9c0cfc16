"""Shared harness for the CLI plan/apply integration tests.

A config directory in tmp_path, an emulator server on 127.0.0.1 that the real SDK talks to
over HTTP (through the CLI's credentials path: the env var the environment names), and a
runner that calls the console entry point and returns (exit code, stdout, stderr).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import Result, run_cli

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD = "acme-test"
API_SECRET = "emu-api-secret-DO-NOT-PRINT-7f3a"
WEBHOOK_SECRET = "https://hooks.example.test/t0ken-S3CRET-91c2"

BASE_RESOURCES: dict[str, Any] = {
    "metadata_fields": {
        "sku": {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        "status": {
            "type": "enum",
            "label": "Status",
            "datasource": {
                "values": [
                    {"external_id": "complete", "value": "Complete"},
                    {"external_id": "requires_data", "value": "Requires data"},
                ]
            },
        },
    },
    "transformations": {"thumb": {"transformation": "c_fill,h_100,w_100"}},
    "upload_presets": {
        "product_assets": {
            "unsigned": False,
            "settings": {
                "folder": "product_assets",
                "tags": ["product"],
                "transformation": "t_thumb",
                "notification_url": "${env.TEST_WEBHOOK_URL}",
            },
        }
    },
    "upload_mappings": {"product_assets": {"template": "https://media.example.test/uploads/"}},
}


@dataclass
class Harness:
    config_dir: Path
    emu: EmulatorServer
    capsys: pytest.CaptureFixture[str]

    def write(self, resources: Mapping[str, Any], **environment: Any) -> None:
        env_doc: dict[str, Any] = {
            "cloud_name": CLOUD,
            "credentials": "CLOUDINARY_URL_TEST",
            "include": ["common/*.yaml"],
            "addons": {"google_tagging": True},
        }
        env_doc.update(environment)
        envs = self.config_dir / "environments"
        (envs / "common").mkdir(parents=True, exist_ok=True)
        (envs / "test.yaml").write_text(yaml.safe_dump(env_doc, sort_keys=False))
        (envs / "common" / "resources.yaml").write_text(yaml.safe_dump(dict(resources), sort_keys=False))

    def run(self, *args: str) -> Result:
        return run_cli(self.config_dir, self.capsys, *args)

    def writes(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.emu.request_log if r.method != "GET"]


@pytest.fixture
def harness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Harness]:
    cloud = CloudConfig(
        name=CLOUD, api_key="emu-key", api_secret=API_SECRET, addons=frozenset({"google_tagging"})
    )
    with EmulatorServer([cloud]) as emu:
        monkeypatch.setenv("CLOUDINARY_URL_TEST", emu.cloudinary_url(CLOUD))
        monkeypatch.setenv("TEST_WEBHOOK_URL", WEBHOOK_SECRET)
        h = Harness(tmp_path, emu, capsys)
        h.write(BASE_RESOURCES)
        yield h


def with_changes(base: Mapping[str, Any], section: str, name: str, body: Any) -> dict[str, Any]:
    """A copy of `base` with one object replaced (body None removes it)."""
    out = {k: dict(v) for k, v in base.items()}
    if body is None:
        out[section].pop(name, None)
    else:
        out[section][name] = body
    return out
