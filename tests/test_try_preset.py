"""`try-preset` on the example environments: the file goes through the real SDK's upload call
over HTTP to a fresh embedded emulator, after the environment's config was applied to it.
Nothing reaches an account, nothing is written to the project's emulator state, no secret is
shown, and bad input is a clear error (exit 1) without a traceback."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import Result
from support.cli_runner import run_cli as run

from cloudinary_state import Project
from cloudinary_state.trypreset import TryPresetError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "environments"
PRESET = "product_assets"
HOOK_SECRET = "https://hooks.example.test/cloudinary?token=TRY-PRESET-S3CRET-77"
WEBHOOK_VARIABLES = ("STAGING_WEBHOOK_URL", "PRODUCT_WEBHOOK_URL")


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG of that size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "config" / "environments")
    for var in ("CLOUDINARY_URL_STAGING", "CLOUDINARY_URL_PRODUCTION", "CLOUDINARY_URL", *WEBHOOK_VARIABLES):
        monkeypatch.delenv(var, raising=False)  # no credentials, no ${env.*} values needed
    return tmp_path / "config"


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "sneaker.png"
    path.write_bytes(png(40, 30))
    return path


def try_json(config_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    result = run(config_dir, capsys, "try-preset", *args, "--format", "json")
    assert result.code == 0, result.out + result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def preset_settings(env_dir: Path) -> dict[str, Any]:
    uploads = yaml.safe_load((env_dir / "common" / "uploads.yaml").read_text())
    settings: dict[str, Any] = uploads["upload_presets"][PRESET]["settings"]
    return settings


def assert_nothing_persisted(config_dir: Path) -> None:
    assert not (config_dir / ".cloudinary-state").exists()


def test_the_example_preset_on_a_sample_image(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = try_json(config_dir, capsys, "--env", "staging", PRESET, str(photo))
    settings = preset_settings(config_dir / "environments")
    asset = doc["asset"]
    assert (doc["format"], doc["environment"], doc["preset"], doc["file"]) == (
        "cloudinary-state/try-preset@1",
        "staging",
        PRESET,
        "sneaker.png",
    )
    assert asset["folder"] == asset["asset_folder"] == settings["folder"]
    assert asset["public_id"].startswith(f"{settings['folder']}/sneaker_")  # use_filename, unique
    assert asset["tags"] == ["product", "staging"]  # the staging override's tags
    assert asset["metadata"] == settings["metadata"]
    assert (asset["format"], asset["width"], asset["height"], asset["type"]) == (
        "png",
        40,
        30,
        "authenticated",
    )
    assert [e["transformation"] for e in asset["eager"]] == settings["eager"]
    for entry in asset["eager"]:
        assert entry["secure_url"].startswith(
            "https://res.cloudinary.com/acme-staging/image/authenticated/s--"
        )
        assert f"/{entry['transformation']}/v" in entry["secure_url"]
    assert {(a["option"], a["value"], a["emulated"]) for a in doc["addon_results"]} == {
        ("categorization", "google_tagging", True),
        ("detection", "captioning", True),
    }
    related = {(r["kind"], r["name"]): r["applies"] for r in doc["related"]}
    assert related == {("metadata_rule", "shoe_sizes_need_category"): False, ("upload_mapping", PRESET): True}
    assert {n["setting"] for n in doc["notes"]} >= {"eager_async", "auto_tagging", "type"}
    assert_nothing_persisted(config_dir)


def test_the_text_report_and_the_committed_sample(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = ROOT / "examples" / "product-photo.png"
    code, out, err = run(config_dir, capsys, "try-preset", "--env", "production", PRESET, str(sample))
    assert code == 0, out + err
    assert "through upload_preset product_assets of environment production (cloud acme-prod)" in out
    assert "public_id       product_assets/product-photo_" in out
    assert "Eager derivatives (4):" in out and "Add-on results (emulated" in out
    assert out.rstrip().endswith("nothing was sent to Cloudinary.")
    assert_nothing_persisted(config_dir)


def test_public_id_given_to_the_upload(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = try_json(config_dir, capsys, "--env", "staging", PRESET, str(photo), "--public-id", "hero")
    assert doc["asset"]["public_id"] == "product_assets/hero"
    ignored = {e["setting"]: e["reason"] for e in doc["no_effect"]}
    assert (
        ignored["use_filename"]
        == ignored["unique_filename"]
        == ("the upload gives its own public ID, which takes its place")
    )


def _override(config_dir: Path, env: str, old: str, new: str) -> None:
    path = config_dir / "environments" / f"{env}.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_an_addon_off_in_the_environment_shows_as_no_effect(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _override(config_dir, "production", "google_tagging: true", "google_tagging: false")
    doc = try_json(config_dir, capsys, "--env", "production", PRESET, str(photo))
    stripped = {e["setting"]: e for e in doc["no_effect"]}
    assert stripped["categorization"]["value"] == "google_tagging"
    assert (
        "turns the Google Auto Tagging add-on off (addons: google_tagging: false)"
        in (stripped["categorization"]["reason"])
    )
    assert "auto_tagging" not in stripped  # detection (captioning) still tags
    assert [a["option"] for a in doc["addon_results"]] == ["detection"]


def test_an_unset_variable_is_a_visible_placeholder_and_a_set_one_never_shows(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _override(
        config_dir,
        "staging",
        "${env.STAGING_WEBHOOK_URL:-https://hooks.staging.acme.example/cloudinary}",
        "${env.STAGING_WEBHOOK_URL}",
    )
    assert try_json(config_dir, capsys, "--env", "staging", PRESET, str(photo))["asset"]["tags"]
    monkeypatch.setenv("STAGING_WEBHOOK_URL", HOOK_SECRET)
    for fmt in ("json", "text"):
        code, out, err = run(
            config_dir, capsys, "try-preset", "--env", "staging", PRESET, str(photo), "--format", fmt
        )
        assert code == 0, out + err
        assert "TRY-PRESET-S3CRET-77" not in out + err
        assert "notification_url" in out and "(sensitive)" in out


def _fails(result: Result, *expected: str) -> None:
    assert result.code == 1, result.out + result.err
    assert result.out == ""
    for text in expected:
        assert text in result.err, result.err


def test_an_unknown_preset_suggests_the_closest(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(config_dir, capsys, "try-preset", "--env", "staging", "product_asset", str(photo))
    _fails(result, "declares no upload_preset 'product_asset'; did you mean 'product_assets'?")
    assert_nothing_persisted(config_dir)


def test_a_missing_or_unreadable_file(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.png"
    _fails(
        run(config_dir, capsys, "try-preset", "--env", "staging", PRESET, str(missing)),
        f"file not found: {missing}",
    )
    _fails(run(config_dir, capsys, "try-preset", "--env", "staging", PRESET, str(tmp_path)), "is a directory")
    # an endless file (a device, a pipe): refused at the size a single upload request takes,
    # read no further (it once read /dev/zero until memory ran out)
    _fails(
        run(config_dir, capsys, "try-preset", "--env", "staging", PRESET, "/dev/zero"),
        "/dev/zero is larger than 100 MiB, more than one upload request takes (the SDK's upload_large sends",
    )
    assert_nothing_persisted(config_dir)


def test_a_format_the_preset_refuses(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _override(
        config_dir,
        "staging",
        "        tags: [product, staging]\n",
        "        tags: [product, staging]\n        allowed_formats: [jpg, png, webp]\n",
    )
    gif = tmp_path / "banner.gif"
    gif.write_bytes(b"GIF89a" + struct.pack("<HH", 8, 8) + b"\0" * 16)
    result = run(config_dir, capsys, "try-preset", "--env", "staging", PRESET, str(gif))
    _fails(
        result,
        "banner.gif through upload_preset 'product_assets' was refused",
        "Image file format gif not allowed",
    )
    assert_nothing_persisted(config_dir)


def test_the_python_api(config_dir: Path, photo: Path) -> None:
    project = Project.open(config_dir, environ={"STAGING_WEBHOOK_URL": HOOK_SECRET})
    result = project.try_preset("staging", PRESET, photo, public_id="api")
    assert result.asset["public_id"] == "product_assets/api"
    assert result.answer["signature"] and result.api_calls > 0
    assert HOOK_SECRET in project.secrets
    with pytest.raises(TryPresetError, match="did you mean"):
        project.try_preset("staging", "product_asets", photo)
    assert_nothing_persisted(config_dir)


def _documented_shape() -> dict[str, Any]:
    text = (ROOT / "docs" / "cli.md").read_text()
    section = text[text.index("## try-preset") :]
    block = section[section.index("```json\n") + len("```json\n") :]
    shape: dict[str, Any] = json.loads(block[: block.index("```")])
    return shape


def test_the_document_has_the_documented_shape(
    config_dir: Path, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = try_json(config_dir, capsys, "--env", "staging", PRESET, str(photo))
    documented = _documented_shape()
    assert list(doc) == list(documented)
    assert list(doc["asset"]) == list(documented["asset"])
    assert list(doc["asset"]["eager"][0]) == list(documented["asset"]["eager"][0])
    for key in ("addon_results", "no_effect", "notes", "related"):
        assert list(doc[key][0]) == list(documented[key][0]), key
