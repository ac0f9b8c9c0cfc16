"""`init`: the files of a new project, written once and never overwritten.

A project is a config directory (environments, a shared resource document, the JSON Schemas
their modelines point at, a .gitignore for the emulator's state) plus, at the root of the git
repository holding it, the GitHub workflows and a pre-commit config. The workflows and the
hook run cloudinary-state from one pinned commit of its repository (`OWNER/REPO@REVISION`),
never from a package index by name; until the user names it, that reference is a placeholder
they are told to replace.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cloudinary_state.config.loader import ENVIRONMENTS_DIR
from cloudinary_state.config.models import ENV_VAR_NAME, environment_model
from cloudinary_state.config.packaged_schemas import SchemaKind
from cloudinary_state.config.schema import SCHEMA_DIR, render_schemas
from cloudinary_state.errors import CloudinaryStateError

# matched whole (fullmatch): `$` alone lets a trailing newline through, into a file name
NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # an environment's file stem, a cloud's name
ACTION_REFERENCE = re.compile(r"^(?P<repository>[\w.-]+/[\w.-]+)@(?P<revision>[\w./-]+)$")
PLACEHOLDER_ACTION = "OWNER/cloudinary-state@COMMIT_SHA"
# what a written file may still hold for the user to fill in
PLACEHOLDERS = {
    "OWNER/": "OWNER",
    "@COMMIT_SHA": "COMMIT_SHA",
    "rev: COMMIT_SHA": "COMMIT_SHA",
    "# placeholder": "cloud_name",
}
WORKFLOWS = ("plan-on-pr.yml", "apply-on-merge.yml", "nightly-drift.yml")
# apply-on-merge.yml's jobs after this line promote to the environments after the first
LATER_ENVIRONMENTS = "  # >>> later environments"


@dataclass(frozen=True)
class NewEnvironment:
    name: str
    credentials: str  # the env var holding cloudinary://key:secret@cloud
    cloud_name: str | None = None  # None: taken from the credentials

    @classmethod
    def parse(cls, spec: str) -> NewEnvironment:
        """`NAME=CREDENTIALS_VAR`, or `NAME` alone for the variable CLOUDINARY_URL_<NAME>."""
        name, _, credentials = spec.partition("=")
        credentials = credentials or "CLOUDINARY_URL_" + re.sub(r"\W", "_", name).upper()
        if not NAME.fullmatch(name):
            raise ValueError(f"'{name}' is no environment name (letters, digits, _ and -)")
        if not re.fullmatch(ENV_VAR_NAME, credentials):
            raise ValueError(f"'{credentials}' is no environment variable name")
        return cls(name, credentials)


DEFAULT_ENVIRONMENTS = (
    NewEnvironment("staging", "CLOUDINARY_URL_STAGING"),
    NewEnvironment("production", "CLOUDINARY_URL_PRODUCTION"),
)


@dataclass(frozen=True)
class ActionReference:
    """Where the workflows' action and the pre-commit hook come from: `OWNER/REPO@REVISION`."""

    repository: str
    revision: str

    @classmethod
    def parse(cls, text: str) -> ActionReference:
        match = ACTION_REFERENCE.fullmatch(text)
        if match is None:
            raise ValueError(f"'{text}' is not OWNER/REPO@REVISION (a tag or, safer, a commit sha)")
        return cls(match["repository"], match["revision"])

    def __str__(self) -> str:
        return f"{self.repository}@{self.revision}"


@dataclass
class Scaffold:
    """What `init` did: files written, files that existed and were left as they are, and what
    the user still has to fill in."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    to_edit: list[str] = field(default_factory=list)  # "PATH: fill in WHAT"


def new_environments(specs: Sequence[str], clouds: Sequence[str]) -> list[NewEnvironment]:
    """The environments of `NAME[=CREDENTIALS_VAR]` specs (the defaults when there is none) with
    the cloud names of `ENV=CLOUD_NAME` specs; ValueError names a bad or repeated one."""
    parsed = [NewEnvironment.parse(s) for s in specs] or list(DEFAULT_ENVIRONMENTS)
    by_name = {e.name: e for e in parsed}
    if len(by_name) < len(parsed):
        raise ValueError("an environment is given twice")
    for spec in clouds:
        env, _, cloud = spec.partition("=")
        if env not in by_name:
            raise ValueError(f"--cloud {spec}: no environment '{env}' (give ENV=CLOUD_NAME)")
        if not NAME.fullmatch(cloud):
            raise ValueError(f"--cloud {spec}: '{cloud}' is no cloud name")
        by_name[env] = NewEnvironment(env, by_name[env].credentials, cloud)
    return list(by_name.values())


def scaffold(
    config_dir: Path,
    environments: Sequence[NewEnvironment],
    kinds: Sequence[SchemaKind],
    action: ActionReference | None = None,
) -> Scaffold:
    """Write the project's files that do not exist yet (never one that does). ScaffoldError,
    before any file is written, for a path that exists as something else than a file (or a
    parent as something else than a directory); after, for a file that cannot be written."""
    result = Scaffold()
    if action is None:
        action = ActionReference.parse(PLACEHOLDER_ACTION)
    _check_is_directory(config_dir)
    files = list(_project_files(config_dir, list(environments), kinds, action))
    for path, _ in files:
        _check_writable(path)
    for path, text in files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as f:  # "x": fails when the file exists
                f.write(text)
        except FileExistsError:
            result.kept.append(path)
        except OSError as e:  # no permission, a full disk
            written = f" (written before it: {', '.join(map(str, result.written))})" if result.written else ""
            raise ScaffoldError(f"cannot write {path}: {e.strerror or e}{written}") from None
        else:
            result.written.append(path)
            found = sorted({what for mark, what in PLACEHOLDERS.items() if mark in text})
            if found:
                result.to_edit.append(f"{path}: fill in {', '.join(found)}")
    return result


class ScaffoldError(CloudinaryStateError):
    """A project cannot be started where it was asked to be."""


def _obstacle(what: str, path: Path) -> ScaffoldError:
    return ScaffoldError(
        f"cannot start a project here: {path} is not {what}; move it away, or choose another --config-dir"
    )


def _check_is_directory(path: Path) -> None:
    """`path` is a directory, or nothing yet (a link to itself is neither)."""
    if os.path.lexists(path) and not path.is_dir():
        raise _obstacle("a directory", path)


def _check_writable(path: Path) -> None:
    """`path` is a file or nothing yet, under directories or nothing yet."""
    if os.path.lexists(path) and not path.is_file():
        raise _obstacle("a file", path)
    for parent in path.parents:
        if os.path.lexists(parent):
            _check_is_directory(parent)
            return


def _project_files(
    config_dir: Path,
    environments: list[NewEnvironment],
    kinds: Sequence[SchemaKind],
    action: ActionReference,
) -> Iterator[tuple[Path, str]]:
    root = repository_root(config_dir)
    where = config_dir.resolve().relative_to(root.resolve()).as_posix()
    values = {
        "__ACTION__": str(action),
        "__REPOSITORY__": action.repository,
        "__REVISION__": action.revision,
        "__CONFIG_DIR__": where,
        "__PATHS__": _under(where, f"{ENVIRONMENTS_DIR}/**"),
        "__FILES__": re.escape(_under(where, f"{ENVIRONMENTS_DIR}/")),
        "__SECTIONS__": ", ".join(kind.section for kind in kinds),
    }
    envs = config_dir / ENVIRONMENTS_DIR
    for env in environments:
        yield envs / f"{env.name}.yaml", _environment_file(env, kinds, values)
    yield envs / "common" / "resources.yaml", _render("resources.yaml", values)
    for name, text in render_schemas(kinds).items():
        yield config_dir / SCHEMA_DIR / name, text
    yield config_dir / ".gitignore", _render("gitignore", values)
    for name in WORKFLOWS:
        yield root / ".github" / "workflows" / name, workflow(name, environments, values)
    yield root / ".pre-commit-config.yaml", _render("pre-commit-config.yaml", values)


def _environment_file(env: NewEnvironment, kinds: Sequence[SchemaKind], values: dict[str, str]) -> str:
    own = {
        "__NAME__": env.name,
        "__CREDENTIALS__": env.credentials,
        "__CLOUD_NAME__": _cloud_name_line(env, kinds),
    }
    return _render("environment.yaml", values, own)


def _cloud_name_line(env: NewEnvironment, kinds: Sequence[SchemaKind]) -> str:
    """The `cloud_name:` line: the one given; none when the credentials may name the cloud; the
    environment's name as a placeholder where the environment file must name it."""
    if env.cloud_name is not None:
        return f"cloud_name: {env.cloud_name}\n"
    if not environment_model(kinds).model_fields["cloud_name"].is_required():
        return ""
    return f"cloud_name: {env.name}  # placeholder: the cloud named in {env.credentials}\n"


def workflow(name: str, environments: Sequence[NewEnvironment], values: dict[str, str]) -> str:
    """A workflow for these environments, in promotion order: the first applied on merge, the
    later ones each behind a GitHub environment's reviewers."""
    first, later = environments[0], environments[1:]
    text = _template(name)
    if name == "apply-on-merge.yml" and not later:
        text = text[: text.index(LATER_ENVIRONMENTS)]
    text = _fill_lists(text, {"__MATRIX__": environments, "__LATER_MATRIX__": later})
    first_values = {"__FIRST_ENV__": first.name, "__FIRST_CREDENTIALS__": first.credentials}
    return _substitute(text, {**values, **first_values})


def _fill_lists(text: str, lists: dict[str, Sequence[NewEnvironment]]) -> str:
    """A line holding only a list token becomes one matrix entry per environment."""
    lines = []
    for line in text.splitlines(keepends=True):
        token = line.strip()
        if token in lists:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}- {_matrix_entry(e)}\n" for e in lists[token]]
        else:
            lines.append(line)
    return "".join(lines)


def _matrix_entry(env: NewEnvironment) -> str:
    # JSON is YAML: quoted names that no YAML reader can take for a number or a boolean
    return f"{{environment: {json.dumps(env.name)}, credentials: {env.credentials}}}"


def _under(directory: str, path: str) -> str:
    return path if directory == "." else f"{directory}/{path}"


def _template(name: str) -> str:
    return resources.files("cloudinary_state").joinpath("templates", name).read_text(encoding="utf-8")


def _render(name: str, *values: dict[str, str]) -> str:
    merged: dict[str, str] = {}
    for v in values:
        merged.update(v)
    return _substitute(_template(name), merged)


def _substitute(text: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        text = text.replace(token, value)
    leftover = re.search(r"__[A-Z_]+__", text)
    assert leftover is None, f"template token {leftover.group()} has no value"
    return text


def repository_root(config_dir: Path) -> Path:
    """The nearest directory at or above `config_dir` holding `.git`; `config_dir` outside git."""
    start = config_dir.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return config_dir
