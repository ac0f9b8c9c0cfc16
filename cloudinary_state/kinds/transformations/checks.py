"""Offline checks of named transformations, and the `t_NAME` reference check that every kind
embedding transformation strings (upload presets' incoming and eager transformations) uses."""

from __future__ import annotations

import re
import urllib.parse

from cloudinary_state import transformation as grammar
from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_name_length
from cloudinary_state.config.interpolate import did_you_mean
from cloudinary_state.config.yamlload import DocPath
from cloudinary_state.desired import SourceRef

KIND = "transformation"
TRANSFORMATION_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def check_name(report: Report, name: str, at: SourceRef) -> None:
    check_name_length(report, KIND, name, at)
    if not name.strip() or len(name) > 255:
        return
    if name.startswith("t_"):
        report.error(
            at,
            f"transformation name '{name}' carries the t_ prefix",
            f"declare it as '{name[2:]}'; presets refer to it as t_{name[2:]}",
        )
    elif "/" in name or "," in name:
        # get, update and delete address a transformation as `transformation=<name or string>`
        # (reference §5): with '/' or ',' the name reads as a transformation string [INF]
        report.error(
            at,
            f"transformation name '{name}' holds '/' or ',', which make it read as a transformation string",
            "use A-Z a-z 0-9 _ -",
        )
    elif not TRANSFORMATION_NAME.match(name):
        # Cloudinary documents no other naming rule (reference §5: [?]), so this is no error: a t_
        # reference carries such a name URL-encoded, and is matched by its decoded name.
        report.unrecognised(
            at,
            f"transformation name '{name}' has characters a t_ reference must URL-encode",
            f"refer to it as t_{urllib.parse.quote(name, safe='')}, or use A-Z a-z 0-9 _ -",
        )


def parse_checked(report: Report, obj: CheckedObject, path: DocPath, text: str, offset: int = 0) -> list[str]:
    """Check one transformation string; return its t_ references (none when it is invalid).

    What the grammar does not recognise is a warning: the API may accept it (`--strict` refuses)."""
    try:
        parsed = grammar.parse(text)
    except grammar.TransformationSyntaxError as e:
        report.error(
            obj.marks.offset(path, offset + e.position),
            f"{obj.label(path)}: invalid transformation: {e.message}",
            e.hint or "see https://cloudinary.com/documentation/transformation_reference",
        )
        return []
    for warning in parsed.warnings:
        report.unrecognised(
            obj.marks.offset(path, offset + warning.position),
            f"{obj.label(path)}: unrecognised in transformation: {warning.message}",
            warning.hint or "see https://cloudinary.com/documentation/transformation_reference",
        )
    return list(grammar.named_references(text))


_T_REFERENCE = re.compile(r"(?<![A-Za-z0-9_])t_([^,/|]+)")


def _reference_position(text: str, ref: str) -> int:
    """Where `text` refers to `ref` (a decoded name, however the text encodes it); 0 if nowhere."""
    for found in _T_REFERENCE.finditer(text):
        if ref in map(urllib.parse.unquote, found.group(1).split(".")):
            return found.start()
    return 0


def check_references(
    report: Report,
    universe: Universe,
    obj: CheckedObject,
    path: DocPath,
    refs: list[str],
    text: str = "",
    offset: int = 0,
    *,
    api_refuses_missing: bool = False,
) -> None:
    """Each `t_NAME` of `text` (which starts at `offset` of the scalar at `path`) should resolve.

    One naming a transformation the config neither declares nor ignores is an error only where
    the API refuses a reference to a missing transformation (`api_refuses_missing`); elsewhere
    the API takes it (a named transformation, a preset: only an upload that applies it fails), so
    it is a warning that `--strict` refuses, and an account holding one imports as it is."""
    declared = universe.declared(KIND)
    for ref in refs:
        target = declared.get(ref)
        deleted = target is not None and target.body is None
        if not deleted and (target is not None or universe.trusted(KIND, ref)):
            continue  # resolves; the position below (a regex compiled per name) is for errors only
        at = obj.marks.offset(path, offset + _reference_position(text, ref))
        if deleted:
            report.error(
                at,
                f"{obj.label(path)}: t_{ref} refers to a transformation this environment deletes "
                "(absent: true)",
                "remove the reference or the tombstone",
            )
        else:
            suggestion = did_you_mean(ref, set(declared))
            (report.error if api_refuses_missing else report.unrecognised)(
                at,
                f"{obj.label(path)}: t_{ref} names a transformation that is not declared",
                suggestion
                or f"declare transformations.{ref}, or list it under policy.ignore.transformations "
                "if it is managed outside this config",
            )


def check_transformation(report: Report, universe: Universe, obj: CheckedObject) -> list[str]:
    """Check a named transformation; return the names it refers to."""
    text: str = obj.fields["transformation"]
    path: DocPath = ("transformation",)
    refs = parse_checked(report, obj, path, text)
    check_references(report, universe, obj, path, refs, text)
    if text == obj.name:
        # The Admin API registers create_transformation(S, S) as an *unnamed* transformation
        # (reference §5), so this object could never exist under its name.
        report.error(
            obj.marks.at(path),
            f"transformation '{obj.name}' is named exactly like its own definition: Cloudinary "
            "registers that as an unnamed transformation, not as a named one",
            "choose a name that differs from the transformation string",
        )
    return refs


def check_cycles(report: Report, universe: Universe, graph: dict[str, list[str]]) -> None:
    """Named transformations that refer to each other in a circle can never be created."""
    state: dict[str, str] = {}  # name -> "open" while on the DFS stack, "done" after

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for ref in graph.get(name, []):
            if state.get(ref) == "open":
                cycle = [*trail[trail.index(ref) :], ref] if ref in trail else [name, ref]
                obj = universe.objects[(KIND, name)]
                report.error(
                    obj.marks.at(("transformation",)),
                    f"{obj.label()}: circular reference {' -> '.join('t_' + n for n in cycle)}",
                    "break the circle: a named transformation cannot contain itself",
                )
            elif ref not in state and ref in graph:
                visit(ref, [*trail, ref])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
