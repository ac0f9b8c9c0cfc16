"""Hostile documents through the real entry points, for validation's fast path (issue 9,
config/fastschema.py): whatever a document holds, `validate` gives what the models alone give
(the same diagnostics, the same desired state), and a clear error rather than a traceback. Each
case here once failed one of those."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_runner import run_cli

ENV = "environments/e.yaml"
RES = "environments/common/r.yaml"


def _project(root: Path, environment: str, resources: str) -> Path:
    """A config directory of one environment `e` (whose credentials are `X`) and one resource
    document it includes."""
    (root / "environments" / "common").mkdir(parents=True)
    (root / ENV).write_text("credentials: X\ninclude: [common/r.yaml]\n" + environment, encoding="utf-8")
    (root / RES).write_text(resources, encoding="utf-8")
    return root


RESOURCES = "transformations:\n  t:\n    transformation: c_fill,w_100\n"

# YAML values that are no JSON value: what a tag makes of them, or a float JSON cannot spell.
# Under `overrides:` (a mapping of anything) the model's JSON dump once crashed on bytes that are
# no UTF-8, turned other bytes and dates into strings and infinities into nulls.
NOT_JSON = {
    "binary": ("!!binary /w==", "!!binary"),
    "binary_text": ("!!binary YWJj", "!!binary"),
    "timestamp": ("!!timestamp 2026-01-31", "!!timestamp"),
    "infinity": (".inf", "finite"),
    "nan": (".NaN", "finite"),
}
# (environment, resources, line and column of the value: 3 and 4 are the lines after the two
# the environment always has)
PLACES = {
    "override": ("overrides:\n  transformations:\n    t: {transformation: VALUE}\n", RESOURCES, "5:25"),
    "variable": ("variables: {v: VALUE}\n", RESOURCES, "3:16"),
    "body": ("", RESOURCES.replace("c_fill,w_100", "VALUE"), "3:21"),
}


@pytest.mark.parametrize("case", NOT_JSON)
@pytest.mark.parametrize("place", PLACES)
def test_a_yaml_value_that_is_no_json_value_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, place: str
) -> None:
    value, said = NOT_JSON[case]
    environment, resources, at = PLACES[place]
    config_dir = _project(tmp_path, environment.replace("VALUE", value), resources.replace("VALUE", value))
    result = run_cli(config_dir, capsys, "validate", "--env", "e")  # a traceback fails here
    assert result.code == 1, result.out + result.err
    file = RES if place == "body" else ENV
    assert f"{file}:{at}: YAML error:" in result.err and said in result.err, result.err
