"""A project whose config `import` edits in place (tests of import into the project, and of
where it meets other features): environment files as `init` leaves them, a hand-written resource
document, and running the import as a user would."""

from __future__ import annotations

import difflib
from pathlib import Path

from support.harness import DOMAINS, PRODUCTION, STAGING, WEBHOOK_SECRETS, Harness

# A project as `init` leaves it: environment files only, with comments, and include globs that
# match no file yet.
ENVIRONMENT = """\
# {env}: hand-written, this comment must survive the import
cloud_name: {cloud}   # the {env} cloud
credentials: CLOUDINARY_URL_{upper}

include:
  - common/*.yaml      # shared by every environment
  - {env}/*.yaml       # only {env}

variables:
  source_domain: "{domain}"

# the add-ons this account has registered
addons: {{google_tagging: {tagging}}}
"""


def environment_text(env: str) -> str:
    cloud = {"staging": STAGING, "production": PRODUCTION}[env]
    tagging = "true" if env == "staging" else "false"
    return ENVIRONMENT.format(env=env, cloud=cloud, upper=env.upper(), domain=DOMAINS[env], tagging=tagging)


def only_lines_added(before: str, after: str) -> bool:
    """Every line of `before` is in `after`, byte for byte and in order, nothing between them
    changed: the edit only inserted lines."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(keepends=True), b=after.splitlines(keepends=True))
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def import_env(ws: Harness, env: str, *extra: str) -> tuple[int, str]:
    result = ws.run("import", "--env", env, *extra, env=env)
    return result.code, result.out + result.err


def placeholder_values(out: str, env: str) -> dict[str, str]:
    """The variables an import asked for (`export NAME=...   # kind name: path, what`), set
    as the user would: to `env`'s webhook URL, or its token."""
    values = {}
    for line in out.splitlines():
        if line.startswith("  export "):
            variable, what = line.split()[1].split("=")[0], line.rsplit(", ", 1)[1]
            url = WEBHOOK_SECRETS[env]
            values[variable] = url if what == "the whole value" else url.rsplit("token=", 1)[1]
    return values


def plan_is_empty(ws: Harness, env: str, values: dict[str, str]) -> bool:
    for variable, value in values.items():
        ws.monkeypatch.setenv(variable, value)
    return ws.plan_is_empty(env)


def environments_only(ws: Harness) -> Path:
    """Both accounts hold the workspace's objects; the config is reduced to environment files."""
    ws.apply("staging")
    ws.apply("production")
    (ws.config_dir / "environments/common/resources.yaml").unlink()
    (ws.config_dir / "environments/common").rmdir()
    for env in ("staging", "production"):
        (ws.config_dir / f"environments/{env}.yaml").write_text(environment_text(env))
    return ws.config_dir / "environments"


HAND_WRITTEN = """\
# Resources of the test cloud. Hand-written: every comment here must survive an import.

transformations:
    # the thumbnail every preset uses
    thumb:
        transformation: "c_fill,h_100,w_100"   # quoted on purpose

upload_presets:
    product_assets:
        unsigned: false
        settings:
            folder: product_assets
            tags: [product]           # flow style stays flow style
            transformation: t_thumb
            notification_url: ${env.TEST_WEBHOOK_URL}

# the end of the file
"""
