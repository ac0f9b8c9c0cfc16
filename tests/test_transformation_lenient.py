"""The validator is never stricter than the API (issue 11, part 3): transformation strings the
live service accepts but the grammar or the vocabulary does not know are warnings, never
errors; `validate --strict` refuses them at file:line:column; each converges on the emulator
(apply, then an empty plan); and an unknown component compares as its text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.cli_runner import run_cli
from support.strategies_transformation import transformation_strings

from cloudinary_state.emulator import txparse
from cloudinary_state.kinds._common import live_definition
from cloudinary_state.transformation import SHORT_TO_LONG, comparable, parse

# name -> (string, what the warning names; "" when the string is fully known)
ACCEPTED = {
    "flags_twice": ("fl_keep_attribution,fl_keep_iptc", ""),
    "cutter_apply": ("l_logo,fl_cutter,fl_layer_apply", ""),
    "text_encoded": ("l_text:Arial_40:Hello%20World", ""),
    "font_with_space": ("l_text:Open%20Sans_40:Hello", ""),
    "page_range": ("pg_2-4", ""),
    "page_all": ("pg_all", "invalid page 'all'"),
    "new_effect": ("e_auto_saturation", "unknown effect 'auto_saturation'"),
    "new_qualifier": ("e_blur,zz_3", "unknown parameter 'zz'"),
    "crop_twice": ("c_fill,c_scale,w_100", "parameter 'c' appears twice"),
    "crop_variable": ("$mode_!fill!/c_$mode,w_100", ""),
}


def _config(tmp_path: Path) -> Path:
    env = tmp_path / "environments"
    (env / "common").mkdir(parents=True)
    (env / "test.yaml").write_text(
        "cloud_name: demo\ncredentials: CLOUDINARY_URL\ninclude: [common/*.yaml]\n"
    )
    lines = ["transformations:"] + [
        f"  {name}: {{transformation: '{text}'}}" for name, (text, _) in ACCEPTED.items()
    ]
    (env / "common" / "res.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_unrecognised_is_a_warning_and_strict_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    code, out, err = run_cli(config, capsys, "validate", "--env", "test")
    assert code == 0, out + err
    for index, (name, (text, warned)) in enumerate(ACCEPTED.items()):
        line = index + 2  # the line of this object in res.yaml
        if warned:
            assert warned in out + err, name
            column = 3 + len(name) + len(": {transformation: '") + _position(text)
            assert f"res.yaml:{line}:{column}: transformation '{name}'" in out + err, name
        else:
            assert f"transformation '{name}'" not in out + err
    code, out, err = run_cli(config, capsys, "validate", "--env", "test", "--strict")
    assert code == 1, out + err
    assert "unknown effect 'auto_saturation'" in err


def _position(text: str) -> int:
    return parse(text).warnings[0].position


def test_each_accepted_string_converges_on_the_emulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    config = _config(tmp_path)
    code, out, err = run_cli(config, capsys, "apply", "--env", "test", "--emulator", "--auto-approve")
    assert code == 0, out + err
    assert f"Apply complete: {len(ACCEPTED)} created" in out
    code, out, err = run_cli(config, capsys, "plan", "--env", "test", "--emulator", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out


_UNKNOWN_KEYS = st.from_regex(r"[a-z]{2,4}", fullmatch=True).filter(lambda key: key not in SHORT_TO_LONG)
_UNKNOWN_VALUES = st.from_regex(r"[A-Za-z0-9.:;!~-]{1,8}|-?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True)
_UNKNOWN_COMPONENTS = st.lists(
    st.builds(lambda key, value: f"{key}_{value}", _UNKNOWN_KEYS, _UNKNOWN_VALUES), min_size=1, max_size=3
).map(",".join)


@st.composite
def _strings_with_unknown_components(draw: st.DrawFn) -> str:
    known = draw(transformation_strings()).split("/")
    at = draw(st.integers(min_value=0, max_value=len(known) - 1))
    return "/".join([*known[:at], draw(_UNKNOWN_COMPONENTS), *known[at:]])


@given(_strings_with_unknown_components())
def test_unknown_components_round_trip(text: str) -> None:
    # parse -> canonicalize -> render -> parse again: a fixed point, never a refusal
    parsed = parse(text)
    assert any("unknown parameter" in w.message for w in parsed.warnings)
    shown = comparable(text)
    assert comparable(shown) == shown
    # and the emulator's answer for it reads back as the same text: no perpetual diff
    assert live_definition(txparse.parse(text)) == shown


def test_reordered_variables_are_a_change_that_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # exact for what the grammar knows: $b_$a before $a_1 means something else
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    env = tmp_path / "environments"
    env.mkdir()
    (env / "test.yaml").write_text("cloud_name: demo\ncredentials: CLOUDINARY_URL\ninclude: [res.yaml]\n")
    for text, done in (("$a_1,$b_$a,w_$b", "1 created"), ("$b_$a,$a_1,w_$b", "1 updated")):
        (env / "res.yaml").write_text(f"transformations:\n  vars: {{transformation: '{text}'}}\n")
        code, out, err = run_cli(tmp_path, capsys, "apply", "--env", "test", "--emulator", "--auto-approve")
        assert code == 0, out + err
        assert done in out, out
        code, out, err = run_cli(
            tmp_path, capsys, "plan", "--env", "test", "--emulator", "--detailed-exitcode"
        )
        assert (code, "No changes." in out) == (0, True), out + err


def test_strict_refuses_only_the_unrecognised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an unset ${env.X} stays a warning under --strict: validate runs without secrets in CI
    env = tmp_path / "environments"
    env.mkdir()
    (env / "test.yaml").write_text("cloud_name: demo\ncredentials: CLOUDINARY_URL\ninclude: [res.yaml]\n")
    (env / "res.yaml").write_text(
        "transformations:\n  t: {transformation: 'w_100'}\n"
        "upload_presets:\n  p: {settings: {folder: '${env.UNSET_FOLDER_X}'}}\n"
    )
    code, out, err = run_cli(tmp_path, capsys, "validate", "--env", "test", "--strict")
    assert code == 0, out + err
    assert "UNSET_FOLDER_X" in err


def _write(tmp_path: Path, resources: str) -> Path:
    env = tmp_path / "environments"
    env.mkdir(exist_ok=True)
    (env / "test.yaml").write_text("cloud_name: demo\ncredentials: CLOUDINARY_URL\ninclude: [res.yaml]\n")
    (env / "res.yaml").write_text(resources)
    return tmp_path


def _converges(tmp_path: Path, capsys: pytest.CaptureFixture[str], created: int) -> None:
    code, out, err = run_cli(tmp_path, capsys, "apply", "--env", "test", "--emulator", "--auto-approve")
    assert code == 0, out + err
    assert f"Apply complete: {created} created" in out, out
    code, out, err = run_cli(tmp_path, capsys, "plan", "--env", "test", "--emulator", "--detailed-exitcode")
    assert (code, "No changes." in out) == (0, True), out + err


# A named transformation whose name a t_ reference must URL-encode, used by another
# transformation, an eager list of a preset and a streaming profile: each t_ is matched by its
# decoded name, in the engine's reference checks (and apply order) and in the emulator.
ENCODED_REFERENCES = """\
transformations:
  'my name': {transformation: 'c_fill,w_100'}
  framed: {transformation: 't_my%20name/bo_2px_solid_black'}
upload_presets:
  p: {settings: {transformation: 't_my%20name', eager: ['t_my%20name.framed']}}
streaming_profiles:
  encoded: {representations: [{transformation: 't_my%20name/br_1m,vc_h264'}]}
"""


def test_a_t_reference_is_matched_by_its_decoded_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    config = _write(tmp_path, ENCODED_REFERENCES)
    code, out, err = run_cli(config, capsys, "validate", "--env", "test")
    assert code == 0, out + err
    # the name is no error; that a reference must encode it is a warning, refused by --strict
    assert "res.yaml:2:3: transformation name 'my name' has characters a t_ reference must URL-encode" in err
    assert "t_my%20name" in err  # the hint says how to refer to it
    code, out, err = run_cli(config, capsys, "validate", "--env", "test", "--strict")
    assert code == 1 and "res.yaml:2:3:" in err, out + err
    _converges(config, capsys, created=4)


def test_an_undeclared_encoded_reference_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write(tmp_path, "transformations:\n  framed: {transformation: 'w_10/t_no%20such'}\n")
    code, out, err = run_cli(config, capsys, "validate", "--env", "test", "--strict")
    assert code == 1, out + err
    # column of `t_no%20such` inside the quoted scalar that starts at column 29
    assert "res.yaml:2:34: transformation 'framed': transformation: t_no such names a transformation" in err


def test_the_emulator_decodes_t_references_with_its_own_code() -> None:
    from cloudinary_state.emulator import transformations

    assert transformations.named_references("w_10/t_my%20name") == ["my name"]


# A literal space: a font family with spaces is what pycloudinary itself writes (known, no
# warning); a space in layer text or elsewhere is a warning (Cloudinary's docs ask for %20 in
# URLs; what the Admin API does with a literal one is undocumented), refused only by --strict.
SPACES = {
    "font": ("l_text:Open Sans_40:Hello", ""),
    "text": ("l_text:Arial_40:Hello World", "a literal space in layer text"),
    "elsewhere": ("w_100, c_fill", "whitespace in a transformation"),
}


def test_a_literal_space_is_a_warning_that_converges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    lines = [f"  {name}: {{transformation: '{text}'}}" for name, (text, _) in SPACES.items()]
    config = _write(tmp_path, "transformations:\n" + "\n".join(lines) + "\n")
    code, out, err = run_cli(config, capsys, "validate", "--env", "test")
    assert code == 0, out + err
    for line, (name, (text, warned)) in enumerate(SPACES.items(), start=2):
        column = 3 + len(name) + len(": {transformation: '") + text.index(" ")
        shown = f"res.yaml:{line}:{column}: transformation '{name}'"
        assert (shown in err) == bool(warned) and (not warned or warned in err), err
    code, out, err = run_cli(config, capsys, "validate", "--env", "test", "--strict")
    assert code == 1 and "a literal space in layer text" in err, out + err
    _converges(config, capsys, created=len(SPACES))


def test_a_trailing_newline_of_a_block_scalar_is_a_warning_that_converges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    config = _write(tmp_path, "transformations:\n  nl:\n    transformation: |\n      c_fill,w_100\n")
    code, out, err = run_cli(config, capsys, "validate", "--env", "test", "--strict")
    # a block scalar is not inline: its diagnostics point at its start (yamlload.Marks.offset)
    assert code == 1 and "res.yaml:3:21: transformation 'nl': transformation: unrecognised" in err, out + err
    assert "whitespace in a transformation" in err
    _converges(config, capsys, created=1)
