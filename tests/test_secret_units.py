"""The two secret mechanisms, tested directly (issue 13, "secrets, tested as carefully as the
rest"): the scrubber that cuts `${env.*}` values out of every output, and the detector of values
that look secret by their name or shape. Each test names the planted bug it would catch."""

from __future__ import annotations

import pytest
from support.harness import Harness

from cloudinary_state.scrubbing import SCRUBBED, is_sensitive, scrub_text, scrub_value
from cloudinary_state.secret_values import looks_secret, redact_secrets, replace_secrets

MARK = "<m>"


# --- the scrubber ------------------------------------------------------------------------------


def test_a_secret_containing_another_is_cut_out_whole() -> None:
    # shortest-first replacement would leave "ef12" of the longer secret behind
    text = "url=https://h.example/?t=abcdef12 and again abcd"
    scrubbed = scrub_text(text, {"abcd", "abcdef12"})
    assert "ef12" not in scrubbed and "abcd" not in scrubbed
    assert scrubbed == f"url=https://h.example/?t={SCRUBBED} and again {SCRUBBED}"


def test_every_occurrence_is_cut_out() -> None:
    assert scrub_text("s3cr3t s3cr3t:s3cr3t", {"s3cr3t"}) == f"{SCRUBBED} {SCRUBBED}:{SCRUBBED}"


def test_short_secrets_are_left_to_masking_by_path() -> None:
    # free text keeps values under four characters (every "on" would go); paths mask them
    assert scrub_text("on and abc", {"on", "abc"}) == "on and abc"
    assert is_sensitive("settings.tags", {"settings.tags"})


def test_a_value_is_scrubbed_in_keys_lists_tuples_and_nested_mappings() -> None:
    secret = "Tok-9f8e7d"
    value = {
        f"key-{secret}": [f"a{secret}b", ("x", secret)],
        "nested": {"deeper": [{"v": secret}]},
        "number": 7,
    }
    scrubbed = scrub_value(value, {secret})
    assert secret not in repr(scrubbed)
    assert scrubbed == {
        f"key-{SCRUBBED}": [f"a{SCRUBBED}b", ["x", SCRUBBED]],
        "nested": {"deeper": [{"v": SCRUBBED}]},
        "number": 7,
    }


@pytest.mark.parametrize(
    ("path", "sensitive"),
    [
        ("settings.eager", True),
        ("settings.eager[1]", True),
        ("settings.eager.x", True),
        ("settings.eager_async", False),
        ("settings", False),
        ("settings.eagerly", False),
    ],
)
def test_sensitive_paths_cover_what_lies_inside_and_no_sibling(path: str, sensitive: bool) -> None:
    assert is_sensitive(path, {"settings.eager"}) is sensitive


# --- the detector -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["api_token", "API_TOKEN", "Api-Key", "apiKey", "signature", "Signature", "password", "PASSWORD",
     "client_secret", "Client_Secret", "auth", "Authorization", "access_key", "x_key"],
)  # fmt: skip
def test_secret_named_fields_are_whole_secrets_in_any_case(field: str) -> None:
    assert looks_secret("value", field)
    assert redact_secrets("value", f"settings.headers.{field}", MARK) == MARK


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://h.example/hook?API_TOKEN=abc123&x=1", "https://h.example/hook?API_TOKEN=<m>&x=1"),
        ("https://h.example/hook?x=1&Signature=abc", "https://h.example/hook?x=1&Signature=<m>"),
        ("https://h.example/hook?X-Amz-Signature=abc", "https://h.example/hook?X-Amz-Signature=<m>"),
        ("https://h.example/h?token=a;Password=b", "https://h.example/h?token=<m>;Password=<m>"),
        ("https://user:Pa55@h.example/h", "https://user:<m>@h.example/h"),
    ],
)
def test_secret_query_parameters_and_url_passwords_in_any_case(url: str, shown: str) -> None:
    assert looks_secret(url, "settings.notification_url")
    assert redact_secrets(url, "settings.notification_url", MARK) == shown


def test_plain_values_are_not_secrets() -> None:
    assert not looks_secret("https://h.example/hook?x=1&page=2", "settings.notification_url")
    assert not looks_secret("product_assets", "settings.folder")
    assert replace_secrets("", "settings.eval", lambda hit: MARK) is None


def test_code_fields_and_nested_values_are_found_where_they_sit() -> None:
    value = {"eval": "upload_options.tags = 'x'", "headers": {"X-Api-Key": "k"}, "tags": ["a"]}
    assert redact_secrets(value, "settings", MARK) == {
        "eval": MARK,
        "headers": {"X-Api-Key": MARK},
        "tags": ["a"],
    }
    assert looks_secret(["ok", {"token": "t"}], "settings.list")


# --- read-back of a field holding a secret --------------------------------------------------------


def test_a_server_rewrite_of_a_sensitive_field_fails_naming_the_path_with_the_value_masked(
    harness: Harness,
) -> None:
    # the option's value comes from ${env.TAGGER}; the environment turns its add-on on, but the
    # emulated account lacks it, so the server drops the option (as the live service does)
    tagger = "aws_rek_tagging"
    harness.monkeypatch.setenv("TAGGER", tagger)
    settings = {"folder": "p", "categorization": "${env.TAGGER}"}
    harness.write({"upload_presets": {"p": {"settings": settings}}}, addons={tagger: True})
    result = harness.run("apply", "--env", "test", "--auto-approve")
    assert result.code == 1, result.out + result.err
    assert "settings.categorization" in result.err, result.err
    assert tagger not in result.out + result.err
    assert "settings.categorization: this run wrote '(sensitive)', live has None" in result.err
