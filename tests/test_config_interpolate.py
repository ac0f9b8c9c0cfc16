"""${var.*} / ${env.*} interpolation and the sensitive mark."""

from __future__ import annotations

from cloudinary_state.config.interpolate import render

VARS = {"domain": "https://media.example.com"}


def test_variables_env_and_defaults() -> None:
    body = {
        "template": "${var.domain}/uploads/",
        "settings": {
            "notification_url": "${env.HOOK}",
            "eval": "${env.MISSING:-fallback}",
            "tags": ["a", "${env.TAG}"],
        },
        "n": 3,
    }
    r = render(body, variables=VARS, environ={"HOOK": "https://hook/secret", "TAG": "t1"}, require_env=True)
    assert r.value == {
        "template": "https://media.example.com/uploads/",
        "settings": {"notification_url": "https://hook/secret", "eval": "fallback", "tags": ["a", "t1"]},
        "n": 3,
    }
    assert r.sensitive_paths == {"settings.notification_url", "settings.eval", "settings.tags"}
    assert "https://hook/secret" in r.secrets and "t1" in r.secrets
    assert r.problems == []


def test_escape_writes_a_literal_placeholder() -> None:
    r = render({"eval": "x = '$${var.domain}'"}, variables=VARS, environ={}, require_env=True)
    assert r.value == {"eval": "x = '${var.domain}'"}
    assert not r.sensitive_paths


def test_unset_env_is_an_error_or_an_offline_warning() -> None:
    strict = render({"u": "a${env.NOPE}"}, variables={}, environ={}, require_env=True)
    assert [(p.severity, p.position) for p in strict.problems] == [("error", 1)]
    offline = render({"u": "a${env.NOPE}"}, variables={}, environ={}, require_env=False)
    assert [p.severity for p in offline.problems] == ["warning"]
    assert offline.value == {"u": "a${env.NOPE}"}
    assert offline.secrets == set()


def test_undefined_variable_suggests_the_close_name() -> None:
    r = render({"u": "${var.domian}"}, variables=VARS, environ={}, require_env=True)
    (p,) = r.problems
    assert p.message == "undefined variable 'var.domian'"
    assert p.hint == "did you mean 'domain'?"


def test_messages_never_quote_env_values() -> None:
    r = render({"u": "${env.SECRET} ${var.x}"}, variables={}, environ={"SECRET": "hunter2"}, require_env=True)
    assert r.problems and all("hunter2" not in p.message + p.hint for p in r.problems)
