"""The transformation-string grammar: parse, validate and canonicalize.

A transformation string is a chain of components separated by ``/``; each component is a list of
``key_value`` parameters separated by ``,`` (``c_fill,w_100/e_sepia``). The last component may
instead be a bare format (``.../jpg``) or empty (a trailing ``/``): the Admin API records either as
an ``extension`` of the component before it.

The engine never compares raw strings: the same transformation can be spelled many ways
(``w_100,c_fill`` vs ``c_fill,w_100``; ``o_50`` vs ``o_50.0``) and the server answers with a parsed
``info`` list (one dict per component, long parameter names, numbers as JSON numbers). This module
turns both sides into one comparable form: :func:`to_info` for a string, :func:`canonical_info`
for a live ``info``. Both go through the same per-value normalisation, so they agree exactly
whenever they mean the same.

What the canonical form unifies (and what it deliberately keeps apart):

* parameter order inside a component: ``if`` first, then ``$variables`` in written order (a later
  one may use an earlier one), then the rest sorted by short key, as the SDK emits them;
* numbers: ``0.50`` -> ``0.5``, ``50.0`` -> ``50`` -- except for ``w``, ``h``, ``x``, ``y``, where a
  decimal is relative to the asset (``w_1.0`` is 100%, ``w_1`` one pixel), so ``1.0`` stays ``1.0``;
  numeric tokens inside ``e_``/``q_``/``r_``/``ar_`` arguments, expressions and conditions too;
* flags as a set (``fl_progressive.lossy`` == ``fl_lossy.progressive``);
* colours: case of hex digits and names, ``#ff0000`` -> ``rgb:ff0000`` (the SDK's rewrite);
* video offsets: ``35%`` and ``35P`` -> ``35p`` (the SDK's rewrite).

Chain order, effect defaults (``e_shadow`` vs ``e_shadow:40``), layer text and names stay as
written: they are real differences or we cannot prove they are not.

Sources of the vocabulary: the SDK's ``cloudinary.utils`` (short<->long names, the order that
``generate_transformation_string`` emits: ``if`` first, then variables, then sorted keys) and
Cloudinary's transformation reference (crop modes, gravities, effects, flags, conditions,
arithmetic expressions, layers). Pure code, no I/O. The emulator has its own, independent parser.

Layout of this package (each module imports only from the ones listed before it):

* ``vocabulary``: parameter names, value sets, shared regular expressions;
* ``model``: the parsed dataclasses and ``TransformationSyntaxError``;
* ``shared_checks``: hints, expressions, conditions, colours, URL text, used by many validators;
* ``media_values``: validators for the video and audio parameters;
* ``values``: the other per-key validators and the table the parser looks keys up in;
* ``grammar``: parsing, conditional blocks, eager lists, named references;
* ``canonical``: canonical values and strings, the ``info`` form, ``comparable``.
"""

from cloudinary_state.transformation.canonical import (
    canonical_info,
    canonical_string,
    canonical_value,
    comparable,
    info_to_string,
    to_info,
)
from cloudinary_state.transformation.grammar import named_references, parse, split_eager
from cloudinary_state.transformation.model import Component, Param, Transformation, TransformationSyntaxError
from cloudinary_state.transformation.vocabulary import (
    ANGLE_MODES,
    ARITHMETIC_OPERATORS,
    AUDIO_CODECS,
    AUDIO_FREQUENCIES,
    COLOR_SPACES,
    COMPARISON_OPERATORS,
    COMPASS_GRAVITIES,
    CONJUNCTIONS,
    CROP_MODES,
    EFFECTS,
    FLAGS,
    FORMATS,
    GRAVITY_OBJECTS,
    LAYER_DELIVERY_TYPES,
    LAYER_RESOURCE_TYPES,
    LONG_TO_SHORT,
    NAMED_COLORS,
    PREDEFINED_VARIABLES,
    QUALITY_LEVELS,
    RELATIVE_NUMBER_KEYS,
    SHORT_TO_LONG,
    SPECIAL_GRAVITIES,
    VIDEO_CODECS,
)

__all__ = [
    "ANGLE_MODES",
    "ARITHMETIC_OPERATORS",
    "AUDIO_CODECS",
    "AUDIO_FREQUENCIES",
    "COLOR_SPACES",
    "COMPARISON_OPERATORS",
    "COMPASS_GRAVITIES",
    "CONJUNCTIONS",
    "CROP_MODES",
    "EFFECTS",
    "FLAGS",
    "FORMATS",
    "GRAVITY_OBJECTS",
    "LAYER_DELIVERY_TYPES",
    "LAYER_RESOURCE_TYPES",
    "LONG_TO_SHORT",
    "NAMED_COLORS",
    "PREDEFINED_VARIABLES",
    "QUALITY_LEVELS",
    "RELATIVE_NUMBER_KEYS",
    "SHORT_TO_LONG",
    "SPECIAL_GRAVITIES",
    "VIDEO_CODECS",
    "Component",
    "Param",
    "Transformation",
    "TransformationSyntaxError",
    "canonical_info",
    "canonical_string",
    "canonical_value",
    "comparable",
    "info_to_string",
    "named_references",
    "parse",
    "split_eager",
    "to_info",
]
