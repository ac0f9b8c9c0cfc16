"""`${var.NAME}`, `${env.NAME}` and `${env.NAME:-default}` in resource strings.

Every string value of a resource body may hold placeholders; `$${` writes a literal `${`.
A string that uses any `${env.*}` is sensitive as a whole: its dotted body path and its
value are recorded so that plans, logs and exports can mask it. Messages never quote the
value of an environment variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cloudinary_state.config.yamlload import DocPath

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_REFERENCE = re.compile(r"^(var|env)\.([A-Za-z_][A-Za-z0-9_]*)(:-(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    path: DocPath
    severity: Literal["error", "warning"]
    message: str
    hint: str = ""
    position: int = 0  # offset of the placeholder in the string


@dataclass
class Rendered:
    value: Any
    sensitive_paths: set[str] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _may_change(value: Any) -> bool:
    """A string with a placeholder, or a mapping or list that may hold one."""
    return isinstance(value, dict | list) or (isinstance(value, str) and "${" in value)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    import difflib  # here, not at the top: only a mistake needs it, and start-up is measured

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def sensitive_path(path: DocPath) -> str:
    """The dotted key path up to the first list index: a secret inside a list masks the list."""
    keys: list[str] = []
    for part in path:
        if isinstance(part, int):
            break
        keys.append(part)
    return ".".join(keys)


class _Renderer:
    def __init__(self, variables: Mapping[str, str], environ: Mapping[str, str], require_env: bool) -> None:
        self.variables = variables
        self.environ = environ
        self.require_env = require_env
        self.result = Rendered(None)
        self.position = 0  # of the placeholder being replaced, for problems

    def walk(self, value: Any, path: DocPath) -> Any:
        """`value` with its placeholders replaced: the very same object when it holds none.

        Most values hold none: the work is one test per value and one call per mapping, list
        or string with a placeholder, and nothing is copied (copying every value and making the
        path of each cost more than validating them).
        """
        if isinstance(value, dict):
            changed = {
                k: new
                for k, v in value.items()
                if _may_change(v) and (new := self.walk(v, (*path, k))) is not v
            }
            return {**value, **changed} if changed else value
        if isinstance(value, list):
            changed = {
                i: new
                for i, v in enumerate(value)
                if _may_change(v) and (new := self.walk(v, (*path, i))) is not v
            }
            return [changed.get(i, v) for i, v in enumerate(value)] if changed else value
        if isinstance(value, str) and "${" in value:
            return self.string(value, path)
        return value

    def string(self, text: str, path: DocPath) -> str:
        uses_env = False
        env_values: list[str] = []

        def replace(match: re.Match[str]) -> str:
            nonlocal uses_env
            self.position = match.start()
            if match.group(0) == "$${":
                return "${"
            inner = match.group(1)
            ref = _REFERENCE.match(inner)
            if ref is None:
                self.problem(
                    path,
                    "error",
                    f"invalid placeholder '${{{inner}}}'",
                    "write ${var.NAME}, ${env.NAME} or ${env.NAME:-default}; $${ writes a literal ${",
                )
                return match.group(0)
            source, name, has_default, default = ref.group(1), ref.group(2), ref.group(3), ref.group(4)
            if source == "var":
                if has_default:
                    self.problem(path, "error", f"'${{{inner}}}': defaults are for ${{env.*}} only")
                if name not in self.variables:
                    hint = did_you_mean(name, set(self.variables)) or "declare it under `variables:`"
                    self.problem(path, "error", f"undefined variable 'var.{name}'", hint)
                    return match.group(0)
                return self.variables[name]
            uses_env = True
            if name in self.environ:
                env_values.append(self.environ[name])
                return self.environ[name]
            if has_default:
                return default or ""
            if self.require_env:
                self.problem(
                    path,
                    "error",
                    f"environment variable '{name}' is not set",
                    f"export {name}, or give a default: ${{env.{name}:-...}}",
                )
                return ""
            # Offline validation: keep the placeholder, so the value stays recognisably unset.
            self.problem(path, "warning", f"environment variable '{name}' is not set (needed by plan/apply)")
            unresolved.append(name)
            return match.group(0)

        unresolved: list[str] = []
        rendered = _PLACEHOLDER.sub(replace, text)
        if uses_env:
            self.result.sensitive_paths.add(sensitive_path(path))
            self.result.secrets.update(v for v in env_values if v)
            if not unresolved and rendered:
                self.result.secrets.add(rendered)
        return rendered

    def problem(
        self, path: DocPath, severity: Literal["error", "warning"], message: str, hint: str = ""
    ) -> None:
        self.result.problems.append(Problem(path, severity, message, hint, self.position))


def render(
    value: Any,
    *,
    variables: Mapping[str, str],
    environ: Mapping[str, str],
    require_env: bool,
) -> Rendered:
    """Interpolate every string below `value`; paths in the result are relative to `value`."""
    renderer = _Renderer(variables, environ, require_env)
    renderer.result.value = renderer.walk(value, ())
    return renderer.result
