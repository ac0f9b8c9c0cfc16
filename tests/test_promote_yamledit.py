"""Splicing one entry into a resource document keeps every other line as written."""

from __future__ import annotations

import yaml

from cloudinary_state.yamledit import set_entry

DOCUMENT = """\
# yaml-language-server: $schema=../../schemas/resources.schema.json
transformations:
  thumb:                      # referenced as t_thumb
    transformation: c_fill,h_100,w_100
  # the hero image of the product page
  hero:
    transformation: c_scale,w_1600
    allowed_for_strict: true

upload_mappings:
  product_assets:
    template: "${var.source_domain}/media/"   # pulled on first request
"""


def test_replacing_an_entry_keeps_the_other_lines() -> None:
    text, kept = set_entry(DOCUMENT, "transformations", "thumb", {"transformation": "c_fill,h_120,w_120"})
    assert kept
    assert yaml.safe_load(text)["transformations"]["thumb"] == {"transformation": "c_fill,h_120,w_120"}
    assert text.replace("  thumb:\n    transformation: c_fill,h_120,w_120\n", "") == DOCUMENT.replace(
        "  thumb:                      # referenced as t_thumb\n    transformation: c_fill,h_100,w_100\n", ""
    )
    assert "# the hero image of the product page" in text


def test_replacing_the_last_entry_of_a_section_keeps_the_blank_line_and_next_section() -> None:
    text, kept = set_entry(DOCUMENT, "transformations", "hero", {"transformation": "c_scale,w_800"})
    assert kept
    data = yaml.safe_load(text)
    assert data["transformations"]["hero"] == {"transformation": "c_scale,w_800"}
    assert data["upload_mappings"]["product_assets"]["template"] == "${var.source_domain}/media/"
    assert "\n\nupload_mappings:\n" in text
    assert "# pulled on first request" in text


def test_adding_an_entry_appends_it_to_the_section() -> None:
    text, kept = set_entry(DOCUMENT, "upload_mappings", "new_folder", {"template": "https://x.example/"})
    assert kept
    assert text.startswith(DOCUMENT)
    assert yaml.safe_load(text)["upload_mappings"]["new_folder"] == {"template": "https://x.example/"}
    text, _ = set_entry(DOCUMENT, "transformations", "new_one", {"transformation": "e_sepia"})
    data = yaml.safe_load(text)
    assert list(data["transformations"]) == ["thumb", "hero", "new_one"]
    assert text.index("new_one:") < text.index("upload_mappings:")


def test_adding_a_section_and_into_an_empty_document() -> None:
    text, kept = set_entry(DOCUMENT, "upload_presets", "p", {"settings": {"folder": "f"}})
    assert kept and text.startswith(DOCUMENT)
    assert yaml.safe_load(text)["upload_presets"] == {"p": {"settings": {"folder": "f"}}}
    text, kept = set_entry("# only a comment\n", "transformations", "t", {"transformation": "e_sepia"})
    assert kept and text.startswith("# only a comment\n")
    assert yaml.safe_load(text) == {"transformations": {"t": {"transformation": "e_sepia"}}}


def test_flow_style_sections_are_rewritten_whole() -> None:
    text, kept = set_entry(
        "transformations: {a: {transformation: e_sepia}}  # note\n",
        "transformations",
        "b",
        {"transformation": "e_grayscale"},
    )
    assert not kept
    assert yaml.safe_load(text) == {
        "transformations": {"a": {"transformation": "e_sepia"}, "b": {"transformation": "e_grayscale"}}
    }
