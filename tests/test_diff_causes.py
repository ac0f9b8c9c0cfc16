"""The pure comparer behind `diff`: each differing field attributed to its cause."""

from __future__ import annotations

from cloudinary_state.desired import StrippedOption
from cloudinary_state.envdiff import Key, Side, compare
from cloudinary_state.render.envdiff import render_markdown, render_text

PRESET: Key = ("upload_preset", "p")


def _side(env: str, settings: dict[str, object], **extra: object) -> Side:
    return Side(env, {PRESET: {"unsigned": False, "settings": settings}}, **extra)  # type: ignore[arg-type]


def test_variable_differences_name_the_variables() -> None:
    a = _side(
        "a", {"notification_url": "https://a.example/h?team=1"}, variables={"host": "https://a.example"}
    )
    b = _side(
        "b", {"notification_url": "https://b.example/h?team=1"}, variables={"host": "https://b.example"}
    )
    result = compare(a, b, "desired")
    [obj] = result.objects
    [d] = obj.diffs
    assert d.cause == "variable" and d.detail == "variable host"
    assert not result.different
    assert result.variables == (("host", "https://a.example", "https://b.example"),)


def test_a_different_path_around_the_variable_is_real() -> None:
    a = _side("a", {"notification_url": "https://a.example/h1"}, variables={"host": "https://a.example"})
    b = _side("b", {"notification_url": "https://b.example/h2"}, variables={"host": "https://b.example"})
    [obj] = compare(a, b, "desired").objects
    assert obj.diffs[0].cause == "real" and obj.real


def test_live_addon_options_and_auto_tagging_follow_the_toggles() -> None:
    a = _side("a", {"categorization": "google_tagging", "auto_tagging": 0.7}, addons={"google_tagging": True})
    b = _side("b", {}, addons={"google_tagging": False})
    [obj] = compare(a, b, "live").objects
    causes = {d.path: (d.cause, d.detail) for d in obj.diffs}
    expected = "add-on google_tagging: on in a, off in b"
    assert causes == {
        "settings.auto_tagging": ("addon", expected),
        "settings.categorization": ("addon", expected),
    }
    # with the same toggles on both sides the same difference is real
    same_toggles = _side("b", {}, addons={"google_tagging": True})
    [obj] = compare(a, same_toggles, "live").objects
    assert {d.cause for d in obj.diffs} == {"real"}


def test_desired_stripped_options_and_sensitive_values() -> None:
    stripped = {PRESET: (StrippedOption("settings.detection", "captioning", "captioning"),)}
    a = _side(
        "a",
        {"detection": "captioning", "notification_url": "https://s.example/1"},
        sensitive={PRESET: frozenset({"settings.notification_url"})},
    )
    b = _side("b", {"notification_url": "https://s.example/2"}, stripped=stripped)
    [obj] = compare(a, b, "desired").objects
    by_path = {d.path: d for d in obj.diffs}
    assert by_path["settings.detection"].cause == "addon"
    assert "stripped in b" in by_path["settings.detection"].detail
    secret = by_path["settings.notification_url"]
    assert (secret.cause, secret.a, secret.b) == ("sensitive", "(sensitive)", "(sensitive)")


def test_objects_on_one_side_and_identical_ones() -> None:
    a = Side("a", {("transformation", "x"): {"t": 1}, ("transformation", "same"): {"t": 2}})
    b = Side("b", {("transformation", "y"): {"t": 1}, ("transformation", "same"): {"t": 2}})
    result = compare(a, b, "desired")
    assert [(o.name, o.presence) for o in result.objects] == [("x", "only_a"), ("y", "only_b")]
    assert result.identical == 1 and result.different


def test_an_addon_one_side_does_not_mention_is_unknown_not_off() -> None:
    """Unknown keeps the options: against `on` a difference is real (both sides keep what they
    were written with); against `off` the toggle explains it, named as unknown there."""
    a = _side("a", {"categorization": "google_tagging"}, addons={"google_tagging": True})
    b = _side("b", {}, addons={})
    result = compare(a, b, "live")
    [obj] = result.objects
    assert {d.cause for d in obj.diffs} == {"real"}
    assert result.addons == (("google_tagging", True, None),)
    assert "  google_tagging: on | unknown" in render_text(result)
    assert "| `google_tagging` | on | unknown |" in render_markdown(result)
    off = _side("a", {}, addons={"google_tagging": False})
    kept = _side("b", {"categorization": "google_tagging"}, addons={})
    [obj] = compare(off, kept, "live").objects
    [d] = obj.diffs
    assert (d.cause, d.detail) == ("addon", "add-on google_tagging: off in a, unknown in b")


def test_a_field_both_environments_leave_to_another_system_is_not_compared() -> None:
    ignored = {PRESET: ("settings.notification_url",)}
    a = _side("a", {"notification_url": "https://pim-a.example/h", "folder": "x"}, ignored_fields=ignored)
    b = _side("b", {"notification_url": "https://pim-b.example/h", "folder": "x"}, ignored_fields=ignored)
    result = compare(a, b, "live")
    assert result.objects == () and result.identical == 1
    assert not result.different


def test_a_field_one_environment_manages_is_still_compared() -> None:
    a = _side("a", {"notification_url": "https://pim-a.example/h"}, ignored_fields={PRESET: ("settings",)})
    b = _side("b", {"notification_url": "https://pim-b.example/h"})
    [obj] = compare(a, b, "live").objects
    assert [(d.path, d.cause) for d in obj.diffs] == [("settings.notification_url", "real")]
