"""Offline checks of streaming profiles: a name the API takes, and every representation's
transformation string parsed by the grammar, its `t_NAME` references declared (or ignored)."""

from __future__ import annotations

import re

from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_name_length
from cloudinary_state.config.yamlload import DocPath
from cloudinary_state.desired import SourceRef
from cloudinary_state.kinds.transformations.checks import check_references, parse_checked

KIND = "streaming_profile"
# The Admin API docs' create parameters: "name: Identification name to assign to the new
# streaming profile. Case-insensitive. Can contain alphanumeric characters, underscores (_)
# and hyphens (-)" [D: https://cloudinary.com/documentation/admin_api#create_a_streaming_profile,
# as rendered at withone.ai/knowledge/cloudinary]. A `/` would also split the URL path (§1.2).
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def check_name(report: Report, name: str, at: SourceRef) -> None:
    check_name_length(report, KIND, name, at)
    if name.strip() and len(name) <= 255 and not PROFILE_NAME.match(name):
        report.error(
            at,
            f"streaming profile name '{name}' has characters the Admin API does not take",
            "use A-Z a-z 0-9 _ -",
        )


def check_streaming_profile(report: Report, universe: Universe, obj: CheckedObject) -> None:
    for i, representation in enumerate(obj.fields["representations"]):
        path: DocPath = ("representations", i, "transformation")
        text: str = representation["transformation"]
        refs = parse_checked(report, obj, path, text)
        # the API refuses a representation naming a missing transformation (see the emulator)
        check_references(report, universe, obj, path, refs, text, api_refuses_missing=True)
