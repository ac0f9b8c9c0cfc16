"""Building blocks shared by the per-key value validators.

Hints (did-you-mean suggestions, lists of known words), splitting outside ``!...!`` string
literals, arithmetic expressions and conditions (they share their operands), colours, text as
written in a URL, and one-of-a-set choices. Several keys reuse each of these, so they live apart
from the validator table in ``values``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cloudinary_state.transformation.model import _Problem, _Validator
from cloudinary_state.transformation.vocabulary import (
    _HEX_RE,
    _NUMBER_RE,
    _PERCENT_ESCAPE_RE,
    _RATIO_RE,
    _URL_SAFE_RE,
    _VARIABLE_RE,
    ARITHMETIC_OPERATORS,
    COMPARISON_OPERATORS,
    CONJUNCTIONS,
    NAMED_COLORS,
    PREDEFINED_VARIABLES,
)


def _suggest(word: str, choices: Iterable[str], prefix: str = "") -> str:
    import difflib  # here, not at the top: only a mistake needs it, and start-up is measured

    close = difflib.get_close_matches(word, sorted(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return "did you mean " + " or ".join(f"'{prefix}{c}'" for c in close) + "?"


def _known(label: str, choices: Iterable[str], limit: int = 24) -> str:
    items = sorted(choices)
    shown = ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")
    return f"known {label}: {shown}"


def _hint_for(word: str, choices: Iterable[str], label: str, prefix: str = "") -> str:
    choice_list = list(choices)
    suggestion = _suggest(word, choice_list, prefix)
    known = _known(label, choice_list)
    return f"{suggestion} {known}" if suggestion else known


def _full(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text) is not None


def _shift(problem: _Problem | None, by: int) -> _Problem | None:
    """A problem found in a part of a value, moved to the part's offset within the value."""
    return problem._replace(offset=problem.offset + by) if problem else None


def _split_quoted(value: str, sep: str) -> list[tuple[int, str]] | _Problem:
    """Split on ``sep`` outside ``!...!`` string literals; each piece with its offset."""
    pieces: list[tuple[int, str]] = []
    start = 0
    quoted_at: int | None = None
    for index, char in enumerate(value):
        if char == "!":
            quoted_at = None if quoted_at is not None else index
        elif char == sep and quoted_at is None:
            pieces.append((start, value[start:index]))
            start = index + 1
    if quoted_at is not None:
        return _Problem("unterminated '!' string", quoted_at, "close the string with a second '!'")
    pieces.append((start, value[start:]))
    return pieces


def _is_operand(token: str) -> bool:
    """A value inside an expression or a condition."""
    if _full(_NUMBER_RE, token) or _full(_VARIABLE_RE, token) or _full(_RATIO_RE, token):
        return True
    if token in PREDEFINED_VARIABLES:
        return True
    if len(token) >= 2 and token.startswith("!") and token.endswith("!"):
        return True
    # ctx:!key!, md:!field!, md:!field!.length and similar characteristic lookups
    head, sep, rest = token.partition(":")
    return bool(sep) and head in {"ctx", "md", "tags"} and rest.startswith("!")


def _check_expression(value: str) -> _Problem | None:
    """``operand (op operand)*`` with ``_`` between tokens: ``iw_div_2``, ``$w_mul_0.5``."""
    pieces = _split_quoted(value, "_")
    if isinstance(pieces, _Problem):
        return pieces
    for index, (offset, token) in enumerate(pieces):
        if index % 2 == 0:
            if not _is_operand(token):
                return _Problem(
                    f"'{token}' is not a number, variable or asset characteristic",
                    offset,
                    _hint_for(token, PREDEFINED_VARIABLES, "characteristics"),
                )
        elif token not in ARITHMETIC_OPERATORS:
            return _Problem(
                f"'{token}' is not an arithmetic operator",
                offset,
                _hint_for(token, ARITHMETIC_OPERATORS, "operators"),
            )
    if len(pieces) % 2 == 0:
        return _Problem("expression ends with an operator", len(value), "add the missing operand")
    return None


def _numeric_or_expression(
    label: str, *, signed: bool = True, words: Iterable[str] = (), example: str = ""
) -> _Validator:
    """A number, a ``$variable``, an arithmetic expression, or one of ``words``."""
    allowed = frozenset(words)

    def check(value: str) -> _Problem | None:
        if value in allowed or _full(_VARIABLE_RE, value):
            return None
        if _full(_NUMBER_RE, value):
            if not signed and value.startswith("-"):
                return _Problem(f"{label} cannot be negative", 0, f"write a value >= 0{example}")
            return None
        if "_" in value or value in PREDEFINED_VARIABLES:
            return _check_expression(value)
        extra = f"; or one of: {', '.join(sorted(allowed))}" if allowed else ""
        return _Problem(
            f"invalid {label} '{value}'",
            0,
            f"expected a number, a $variable or an expression like iw_div_2{extra}{example}",
        )

    return check


def _check_color(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    if value.startswith("rgb:") or value.startswith("#"):
        digits = value[4:] if value.startswith("rgb:") else value[1:]
        if _full(_HEX_RE, digits):
            return None
        return _Problem(f"invalid RGB colour '{value}'", 0, "write 3, 4, 6 or 8 hex digits, e.g. rgb:ff0000")
    if value.lower() in NAMED_COLORS:
        return None
    return _Problem(
        f"unknown colour '{value}'",
        0,
        _hint_for(value.lower(), NAMED_COLORS, "colour names") + "; or rgb:RRGGBB",
    )


def _check_url_text(text: str, what: str) -> _Problem | None:
    """Text as written in a URL: only URL-safe characters, valid ``%XX`` escapes."""
    for index, char in enumerate(text):
        if char == " ":
            # Cloudinary's docs ask for %20 in URLs; what the Admin API does with a literal
            # space in a stored transformation is undocumented: a warning, never a refusal
            return _Problem(
                f"a literal space in {what}",
                index,
                "URL-encode it as %20, as Cloudinary's docs ask in URLs (pycloudinary does too)",
            )
        if not _full(_URL_SAFE_RE, char):
            return _Problem(
                f"character {char!r} is not allowed in {what}",
                index,
                "URL-encode it (space as %20, comma as %252C, slash as %252F)",
            )
    bad = _PERCENT_ESCAPE_RE.search(text)
    if bad:
        return _Problem(
            f"'%' in {what} must start a %XX escape", bad.start(), "write %25 for a literal percent sign"
        )
    return None


def _choice(label: str, choices: frozenset[str], prefix: str) -> _Validator:
    def check(value: str) -> _Problem | None:
        if value in choices:
            return None
        return _Problem(f"unknown {label} '{value}'", 0, _hint_for(value, choices, label + "s", prefix))

    return check


def _check_condition(value: str) -> _Problem | None:
    """``operand op operand`` joined by ``and``/``or``; operands may be arithmetic expressions."""
    if value in {"end", "else"}:
        return None
    pieces = _split_quoted(value, "_")
    if isinstance(pieces, _Problem):
        return pieces
    expect_operand = True
    compared = False
    for offset, token in pieces:
        if expect_operand:
            if not _is_operand(token):
                return _Problem(
                    f"'{token}' is not a number, string, variable or asset characteristic",
                    offset,
                    _hint_for(token, PREDEFINED_VARIABLES, "characteristics"),
                )
            expect_operand = False
        elif token in ARITHMETIC_OPERATORS:
            expect_operand = True
        elif token in COMPARISON_OPERATORS:
            if compared:
                return _Problem(
                    f"second comparison '{token}' without and/or",
                    offset,
                    "join conditions with _and_ or _or_",
                )
            compared = True
            expect_operand = True
        elif token in CONJUNCTIONS:
            if not compared:
                return _Problem(
                    f"'{token}' joins conditions, but no comparison precedes it",
                    offset,
                    "write e.g. if_w_gt_100_and_h_gt_100",
                )
            compared = False
            expect_operand = True
        else:
            return _Problem(
                f"'{token}' is not an operator",
                offset,
                _hint_for(token, COMPARISON_OPERATORS | CONJUNCTIONS | ARITHMETIC_OPERATORS, "operators"),
            )
    if expect_operand:
        return _Problem("condition ends with an operator", len(value), "add the missing operand")
    if not compared:
        return _Problem(
            f"condition '{value}' compares nothing",
            0,
            "write <characteristic>_<op>_<value>, e.g. if_w_gt_1000, or if_else / if_end",
        )
    return None
