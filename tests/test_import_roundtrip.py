"""The import property: for generated live accounts of all four kinds, made directly with the
real SDK in a fresh emulated cloud, `import` then `plan` against the same account is empty,
and no secret value appears in the files import writes."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import cloudinary.api
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.strategies_transformation import transformation_strings

from cloudinary_state.cli import main
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.kinds import REGISTRY

CLOUD, KEY, API_SECRET = "acme-import", "emu-key", "import-api-secret-NEVER-PRINTED"
CDN = "https://cdn.acme.example"  # a variable of the imported environment: mapped back on import

names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
# Free text with the characters that need care in YAML and in our placeholder syntax.
texts = st.text(alphabet=st.sampled_from(list("abcXYZ019 _-:#'\"$}{/é")), min_size=1, max_size=16).filter(
    lambda t: t.strip() == t and t.strip()
)
secrets = st.from_regex(r"[A-Za-z0-9]{12,20}", fullmatch=True)

crops = st.sampled_from(["fill", "scale", "fit", "pad", "crop", "thumb", "limit"])
components = st.one_of(
    st.builds(lambda c, w, h: f"c_{c},h_{h},w_{w}", crops, st.integers(1, 2000), st.integers(1, 2000)),
    st.builds(lambda c, w: f"c_{c},w_{w}", crops, st.integers(1, 2000)),
    st.sampled_from(
        ["f_auto,q_auto", "q_auto:good", "e_sepia", "e_grayscale", "g_face,r_max", "a_90", "o_50"]
    ),
)
# Simple chains, and the full grammar of the transformation tests (without named references,
# which would need the referenced transformation to exist first).
definitions = st.one_of(
    st.lists(components, min_size=1, max_size=3).map("/".join),
    transformation_strings().filter(lambda s: "t_" not in s),
)


@dataclass
class Account:
    """What a generated account holds, and the secret values that must not leak."""

    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    transformations: dict[str, tuple[str, bool]] = field(default_factory=dict)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    mappings: dict[str, str] = field(default_factory=dict)
    triggers: set[tuple[str, str]] = field(default_factory=set)  # (event_type, uri)
    secrets: set[str] = field(default_factory=set)


@st.composite
def metadata_fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "date", "enum", "set"]))
    body: dict[str, Any] = {"type": kind, "label": draw(texts)}
    flags = draw(st.lists(st.sampled_from(["readonly_ui", "hidden_ui", "excluded_from_search"]), unique=True))
    if flags:
        body["restrictions"] = dict.fromkeys(flags, True)
    if kind in ("enum", "set"):
        ids = draw(st.lists(names, min_size=1, max_size=4, unique=True))
        body["datasource"] = {"values": [{"external_id": i, "value": draw(texts)} for i in ids]}
        if draw(st.booleans()):
            body["default_value"] = ids[0] if kind == "enum" else ids[:1]
    elif kind == "string" and draw(st.booleans()):
        body["validation"] = {"type": "strlen", "min": 1, "max": draw(st.integers(2, 100))}
    elif kind == "integer" and draw(st.booleans()):
        body["validation"] = {"type": "greater_than", "value": 0, "equals": draw(st.booleans())}
        body["default_value"] = draw(st.integers(1, 1000))
    return body


@st.composite
def accounts(draw: st.DrawFn) -> Account:
    account = Account()
    for name in draw(st.lists(names, max_size=3, unique=True)):
        account.fields[name] = draw(metadata_fields())
    for name in draw(st.lists(names, max_size=3, unique=True)):
        account.transformations[name] = (draw(definitions), draw(st.booleans()))
    for name in draw(st.lists(names, max_size=3, unique=True)):
        settings_: dict[str, Any] = {"folder": draw(names)}
        if draw(st.booleans()):
            settings_["tags"] = draw(st.lists(names, min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            settings_["use_filename"] = draw(st.booleans())
        if draw(st.booleans()):
            token = draw(secrets)
            account.secrets.add(token)
            settings_["notification_url"] = f"https://hooks.example.test/{draw(names)}?id=7&token={token}"
        if draw(st.booleans()):
            code = f"upload_options['tags'] = '{draw(secrets)}'"
            account.secrets.add(code)
            settings_["eval"] = code
        if draw(st.booleans()):
            settings_["categorization"] = "google_tagging"
            settings_["auto_tagging"] = draw(st.sampled_from([0.5, 0.7, 0.9]))
        has_transformations = bool(account.transformations)
        if has_transformations and draw(st.booleans()):
            settings_["transformation"] = draw(st.sampled_from(sorted(account.transformations)))
        if draw(st.booleans()):
            settings_["eager"] = draw(st.lists(definitions, min_size=1, max_size=2))
        account.presets[name] = {"unsigned": draw(st.booleans()), "settings": settings_}
    for folder in draw(st.lists(names, max_size=3, unique=True)):
        host = draw(st.sampled_from([CDN, f"https://{draw(names)}.example.test"]))
        account.mappings[folder] = f"{host}/{draw(names)}/"
    add_triggers(draw, account)
    return account


# Query parameters import must write as ${env.*} placeholders, whatever their case.
CREDENTIAL_PARAMETERS = ["token", "key", "secret", "signature", "auth", "password", "Token", "API_KEY"]


@st.composite
def trigger_urls(draw: st.DrawFn, account: Account) -> str:
    """A webhook URL: on a few hosts (so that names collide), maybe with a credential; each
    path is new, so that the test can tell which live URL an imported one stands for."""
    host = draw(st.sampled_from([CDN, "https://pim.example.test", "https://erp.example.test"]))
    url = f"{host}/{len(account.triggers)}/{draw(names)}"
    if draw(st.booleans()):
        token = draw(secrets)
        account.secrets.add(token)
        url += f"?{draw(st.sampled_from(CREDENTIAL_PARAMETERS))}={token}&v=2"
    return url


def add_triggers(draw: st.DrawFn, account: Account) -> None:
    for _ in range(draw(st.integers(0, 4))):
        event_type = draw(st.sampled_from(["upload", "delete", "rename"]))
        account.triggers.add((event_type, draw(trigger_urls(account))))


def create(account: Account, url: str) -> None:
    """Build the account directly with the SDK, as a person in the console would."""
    options = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": API_SECRET, "upload_prefix": url}
    for external_id, body in account.fields.items():
        cloudinary.api.add_metadata_field({"external_id": external_id, **body}, **options)
    for name, (definition, allowed_for_strict) in account.transformations.items():
        cloudinary.api.create_transformation(name, definition, **options)
        if not allowed_for_strict:
            cloudinary.api.update_transformation(name, allowed_for_strict=False, **options)
    for name, preset in account.presets.items():
        settings_ = dict(preset["settings"])
        # a string `transformation` is sent by the SDK as the named reference t_NAME
        cloudinary.api.create_upload_preset(name=name, unsigned=preset["unsigned"], **settings_, **options)
    for folder, template in account.mappings.items():
        cloudinary.api.create_upload_mapping(folder, template=template, **options)
    for event_type, uri in sorted(account.triggers):
        cloudinary.api.create_trigger(uri, event_type, **options)


def run(config_dir: Path, environ: Mapping[str, str], *args: str) -> tuple[int, str, str]:
    """The console entry point, as support.cli_runner runs it but with its own capture: the
    examples of one hypothesis test share that test's fixtures, so capsys cannot separate them."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, environ),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main(["--config-dir", str(config_dir), *args])
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 0
            assert "Traceback" not in out.getvalue() + err.getvalue(), out.getvalue() + err.getvalue()
            return code, out.getvalue(), err.getvalue()
    raise AssertionError("the CLI did not exit")


def placeholder_values(written: Any, live: Any) -> Iterator[tuple[str, str]]:
    """(variable, value) for each `${env.X}` in a written string, read off the live string at
    the same place: the test's stand-in for the user exporting the secrets import listed."""
    if isinstance(written, dict) and isinstance(live, dict):
        for key, value in written.items():
            yield from placeholder_values(value, live.get(key))
    elif isinstance(written, str) and isinstance(live, str) and "${env." in written:
        parts = re.split(r"\$\{env\.([A-Za-z0-9_]+)\}", written)
        match = re.fullmatch(placeholder_pattern(written), live)
        assert match, (written, live)
        yield from zip(parts[1::2], match.groups(), strict=True)


def placeholder_pattern(written: str) -> str:
    """A regular expression of the live strings `written` stands for: each `${env.X}` any text."""
    parts = re.split(r"\$\{env\.([A-Za-z0-9_]+)\}", written)
    return "".join(re.escape(p.replace("$${", "${")) if i % 2 == 0 else "(.*?)" for i, p in enumerate(parts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(account=accounts())
def test_import_then_plan_is_empty_and_no_secret_is_written(account: Account) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorServer([CloudConfig(CLOUD, KEY, API_SECRET, frozenset({"google_tagging"}))]) as emu,
    ):
        source, output = Path(tmp) / "source", Path(tmp) / "imported"
        (source / "environments").mkdir(parents=True)
        (source / "environments" / "live.yaml").write_text(
            yaml.safe_dump(
                {
                    "cloud_name": CLOUD,
                    "credentials": "CLOUDINARY_URL_LIVE",
                    "variables": {"cdn": CDN},
                    "addons": {"google_tagging": True},
                }
            )
        )
        create(account, emu.url)
        environ = {"CLOUDINARY_URL_LIVE": emu.cloudinary_url(CLOUD)}

        code, out, err = run(source, environ, "import", "--env", "live", "--output", str(output))
        assert code == 0, err
        files = {p: p.read_text() for p in output.rglob("*.yaml")}
        assert len(files) == len(REGISTRY) + 1  # one document per kind and the environment file
        for text in files.values():
            for secret in account.secrets | {API_SECRET}:
                assert secret not in text
        assert API_SECRET not in out + err

        mappings = yaml.safe_load((output / "environments/common/upload_mappings.yaml").read_text())
        for folder, template in account.mappings.items():
            expected = template.replace(CDN, "${var.cdn}")
            assert mappings["upload_mappings"][folder] == {"template": expected}

        presets = yaml.safe_load((output / "environments/common/upload_presets.yaml").read_text())
        exports = dict(environ)
        for name, body in (presets.get("upload_presets") or {}).items():
            live = cloudinary.api.upload_preset(
                name, cloud_name=CLOUD, api_key=KEY, api_secret=API_SECRET, upload_prefix=emu.url
            )
            exports.update(placeholder_values(body.get("settings", {}), live["settings"]))
        triggers = yaml.safe_load((output / "environments/common/triggers.yaml").read_text())
        lives = cloudinary.api.triggers(
            cloud_name=CLOUD, api_key=KEY, api_secret=API_SECRET, upload_prefix=emu.url
        )
        written = (triggers.get("triggers") or {}).values()
        assert len(written) == len(account.triggers)  # each under a name of its own
        for body in written:  # the URL with each credential a placeholder, the host maybe a variable
            uri = body["uri"].replace("${var.cdn}", CDN)
            live_uris = [t["uri"] for t in lives["triggers"] if t["event_type"] == body["event_type"]]
            [live_uri] = [u for u in live_uris if re.fullmatch(placeholder_pattern(uri), u)]
            exports.update(placeholder_values(uri, live_uri))
        for variable in exports:
            assert variable in out or variable == "CLOUDINARY_URL_LIVE"  # import listed each one

        code, out, err = run(output, exports, "plan", "--env", "live", "--detailed-exitcode")
        assert code == 0, out + err
        assert "No changes." in out
