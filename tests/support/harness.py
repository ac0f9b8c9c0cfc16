"""The harness of the CLI integration tests (the `harness` and `workspace` fixtures).

A config directory in tmp_path, an emulator server on 127.0.0.1 that the real SDK talks to over
HTTP (through the CLI's credentials path: the variable each environment names), the CLI run
through its console entry point, and the real SDK, called directly, for the out-of-band changes
a person makes in the console.

Two shapes of one harness: `one_environment` (`test`, on cloud CLOUD, with BASE_RESOURCES) for
plan/apply, and `two_environments` (`staging` and `production`, with WORKSPACE_RESOURCES) for
drift, import, diff and promote.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudinary_state.emulator import CloudConfig, EmulatorServer

from .cli_runner import Result, run_cli

API_KEY = "emu-key"
SEARCH_PATH = "resources/search"  # the Search API: POSTed, read-only

# --- one environment: `test` -----------------------------------------------------------------------

CLOUD = "acme-test"
API_SECRET = "emu-api-secret-DO-NOT-PRINT-7f3a"
WEBHOOK_SECRET = "https://hooks.example.test/t0ken-S3CRET-91c2"

# an enum field with two values: the datasource most tests edit
STATUS_FIELD: dict[str, Any] = {
    "type": "enum",
    "label": "Status",
    "datasource": {
        "values": [
            {"external_id": "complete", "value": "Complete"},
            {"external_id": "requires_data", "value": "Requires data"},
        ]
    },
}

BASE_RESOURCES: dict[str, Any] = {
    "metadata_fields": {
        "sku": {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        "status": STATUS_FIELD,
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

# --- two environments: `staging` and `production` --------------------------------------------------

STAGING, PRODUCTION = "acme-staging", "acme-prod"
API_SECRETS = {STAGING: "stg-api-secret-NEVER-PRINTED-41", PRODUCTION: "prd-api-secret-NEVER-PRINTED-42"}
WEBHOOK_SECRETS = {
    "staging": "https://hooks.example.test/stg?token=STG-HOOK-SECRET-11",
    "production": "https://hooks.example.test/prd?token=PRD-HOOK-SECRET-22",
}
DOMAINS = {"staging": "https://staging-media.acme.example", "production": "https://media.acme.example"}
ADDONS = {"staging": {"google_tagging": True}, "production": {"google_tagging": False}}

WORKSPACE_RESOURCES: dict[str, Any] = {
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


@dataclass(frozen=True)
class Environment:
    """One environment of the config and the emulated cloud it manages."""

    cloud: CloudConfig
    document: Mapping[str, Any]  # environments/<name>.yaml before a test's changes
    process_env: Mapping[str, str] = field(default_factory=dict)  # what a run for it sets

    @property
    def credentials(self) -> str:
        return str(self.document["credentials"])


@dataclass
class Harness:
    config_dir: Path
    emu: EmulatorServer
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    environments: Mapping[str, Environment]

    def write_environment(self, env: str, **changes: Any) -> None:
        """environments/<env>.yaml: the environment's document with `changes` over it."""
        document = {**self.environments[env].document, **changes}
        path = self.config_dir / "environments" / f"{env}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def write_resources(self, resources: Mapping[str, Any], name: str = "resources.yaml") -> Path:
        path = self.config_dir / "environments" / "common" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(dict(resources), sort_keys=False))
        return path

    def write(self, resources: Mapping[str, Any], **environment: Any) -> None:
        """The config of a one-environment harness: its environment with `environment` changes
        over it, and `resources` as the shared resource document."""
        (env,) = self.environments
        self.write_environment(env, **environment)
        self.write_resources(resources)

    def use_env(self, env: str) -> None:
        """The process environment of a run for `env` (each environment has its own webhook)."""
        for name, value in self.environments[env].process_env.items():
            self.monkeypatch.setenv(name, value)

    def run(self, *args: str, env: str | None = None) -> Result:
        """`cloudinary-state --config-dir CONFIG_DIR ARGS...` (after `use_env(env)` if given)."""
        if env is not None:
            self.use_env(env)
        return run_cli(self.config_dir, self.capsys, *args)

    def writes(self) -> list[str]:
        """Every write the emulator saw, as `METHOD path`. A Search API query is a POST that
        reads (a plan counts the assets a delete reaches with it): not a write."""
        return [
            f"{r.method} {r.path}"
            for r in self.emu.request_log
            if r.method != "GET" and not (r.method == "POST" and r.path == SEARCH_PATH)
        ]

    def sdk(self, cloud: str, function: str, *args: Any, **params: Any) -> Any:
        """An out-of-band change (or read), as a person with the SDK would make it."""
        import cloudinary.api  # here, not at the top: conftest imports this module, and the
        # session must not have loaded the SDK before a test that checks who loads it

        (config,) = (e.cloud for e in self.environments.values() if e.cloud.name == cloud)
        options = {
            "cloud_name": config.name,
            "api_key": config.api_key,
            "api_secret": config.api_secret,
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


@contextmanager
def _serving(
    config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environments: Mapping[str, Environment],
) -> Iterator[Harness]:
    with EmulatorServer([e.cloud for e in environments.values()]) as emu:
        for environment in environments.values():
            monkeypatch.setenv(environment.credentials, emu.cloudinary_url(environment.cloud.name))
        yield Harness(config_dir, emu, capsys, monkeypatch, environments)


@contextmanager
def one_environment(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Harness]:
    test = Environment(
        CloudConfig(CLOUD, API_KEY, API_SECRET, frozenset({"google_tagging"})),
        {
            "cloud_name": CLOUD,
            "credentials": "CLOUDINARY_URL_TEST",
            "include": ["common/*.yaml"],
            "addons": {"google_tagging": True},
        },
        {"TEST_WEBHOOK_URL": WEBHOOK_SECRET},
    )
    with _serving(config_dir, monkeypatch, capsys, {"test": test}) as h:
        h.use_env("test")
        h.write(BASE_RESOURCES)
        yield h


@contextmanager
def two_environments(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Harness]:
    def environment(env: str, cloud: str, addons: frozenset[str]) -> Environment:
        document = {
            "cloud_name": cloud,
            "credentials": f"CLOUDINARY_URL_{env.upper()}",
            "include": ["common/*.yaml"],
            "variables": {"source_domain": DOMAINS[env]},
            "addons": ADDONS[env],
        }
        return Environment(
            CloudConfig(cloud, API_KEY, API_SECRETS[cloud], addons),
            document,
            {"WEBHOOK_URL": WEBHOOK_SECRETS[env]},
        )

    environments = {
        "staging": environment("staging", STAGING, frozenset({"google_tagging"})),
        "production": environment("production", PRODUCTION, frozenset()),
    }
    with _serving(config_dir, monkeypatch, capsys, environments) as ws:
        ws.write_environment("staging")
        ws.write_environment("production")
        ws.write_resources(WORKSPACE_RESOURCES)
        yield ws


def with_changes(base: Mapping[str, Any], section: str, name: str, body: Any) -> dict[str, Any]:
    """A copy of `base` with one object replaced (body None removes it)."""
    out = {k: dict(v) for k, v in base.items()}
    if body is None:
        out[section].pop(name, None)
    else:
        out[section][name] = body
    return out
