"""The fast schema check (config/fastschema.py) against pydantic, per document (issue 9): a
measurement to read, never a timed test.

    python benchmarks/fastschema.py [--objects 10000] [--repeat 5]

It prints, best of `--repeat`:

- start-up: the wall time of a fresh interpreter that imports the fast check, reads the
  committed schemas/*.json and compiles every kind's part and the environment's, against one
  that imports the kinds' pydantic models and builds the environment model;
- compile: the time to compile those schemas in this process (JSON already parsed);
- per document: the fast check, and pydantic's `model_validate` + `model_dump` (what the loader
  does today), for the documents of the example config and for `--objects` generated objects
  (benchmarks/accounts.py, spread over the kinds), with how many the fast check accepted (all
  of them, or the loader falls back to pydantic for the others).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import accounts

from cloudinary_state.config.fastschema import FastSchema, compile_schema
from cloudinary_state.config.models import environment_model
from cloudinary_state.config.yamlload import load_yaml_file
from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
Document = tuple[str, Any]  # (section, or "environment"; the document)

FAST_STARTUP = """
import json
from cloudinary_state.config.fastschema import compile_schema
resources = json.loads(open("schemas/resources.schema.json").read())
for section in resources["properties"].values():
    compile_schema(resources, section["additionalProperties"]["anyOf"][0]["$ref"])
compile_schema(json.loads(open("schemas/environment.schema.json").read()))
"""
PYDANTIC_STARTUP = """
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.config.models import environment_model
environment_model(REGISTRY)
"""


def schema_files() -> tuple[dict[str, Any], dict[str, Any]]:
    """The committed resources and environment schemas."""
    return (
        json.loads((SCHEMAS / "resources.schema.json").read_text(encoding="utf-8")),
        json.loads((SCHEMAS / "environment.schema.json").read_text(encoding="utf-8")),
    )


def compiled_schemas(resources: dict[str, Any], environment: dict[str, Any]) -> dict[str, FastSchema]:
    """Section (and "environment") -> its compiled schema."""
    fast = {
        section: compile_schema(resources, spec["additionalProperties"]["anyOf"][0]["$ref"])
        for section, spec in resources["properties"].items()
    }
    return {**fast, "environment": compile_schema(environment)}


def example_documents() -> list[Document]:
    found: list[Document] = []
    for path in sorted((REPO / "environments").rglob("*.yaml")):
        data = load_yaml_file(path, str(path)).data
        if path.parent.name == "environments":
            found.append(("environment", data))
            continue
        for section, objects in data.items():
            found += [(section, body) for body in objects.values() if "absent" not in body]
    return found


def generated_documents(count: int) -> list[Document]:
    per_kind = -(-count // len(REGISTRY))
    documents = [
        (s, body) for s, objects in accounts.resources(per_kind).items() for body in objects.values()
    ]
    return documents[:count]


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def startup(code: str, repeat: int, pycache: Path) -> float:
    """A fresh interpreter running `code`, with bytecode cached (as an installed package has it)."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environ["PYTHONPYCACHEPREFIX"] = str(pycache)
    command = [sys.executable, "-c", code]
    subprocess.run(command, cwd=REPO, check=True, env=environ)  # fills the cache
    return best(repeat, lambda: subprocess.run(command, cwd=REPO, check=True, env=environ))


def per_document(documents: list[Document], repeat: int) -> tuple[float, float, int]:
    """(fast µs, pydantic µs, accepted by the fast check) per document."""
    fast = compiled_schemas(*schema_files())
    models = {kind.section: kind.model for kind in REGISTRY} | {"environment": environment_model(REGISTRY)}

    def run_fast() -> int:
        return sum(fast[section].check(document) is not None for section, document in documents)

    def run_pydantic() -> None:
        for section, document in documents:
            models[section].model_validate(document).model_dump(
                mode="json", exclude_unset=True, by_alias=True
            )

    accepted = run_fast()
    scale = 1e6 / len(documents)
    return best(repeat, run_fast) * scale, best(repeat, run_pydantic) * scale, accepted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=10000, help="generated objects, spread over the kinds")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the fastest is kept")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as pycache:
        bare = startup("pass", args.repeat, Path(pycache))
        fast = startup(FAST_STARTUP, args.repeat, Path(pycache)) - bare
        pydantic = startup(PYDANTIC_STARTUP, args.repeat, Path(pycache)) - bare
    print(f"start-up, less a bare interpreter ({bare * 1e3:.1f} ms):")
    print(f"  fast check imported, schemas read and compiled: {fast * 1e3:6.1f} ms")
    print(f"  pydantic models imported and built:             {pydantic * 1e3:6.1f} ms")
    files = schema_files()
    compiling = best(args.repeat, lambda: compiled_schemas(*files))
    print(f"compiling every schema (JSON parsed):             {compiling * 1e3:6.1f} ms")
    for label, documents in (
        ("example config", example_documents()),
        (f"{args.objects} generated objects", generated_documents(args.objects)),
    ):
        fast, pydantic, accepted = per_document(documents, args.repeat)
        print(f"{label}: {len(documents)} documents, {accepted} accepted by the fast check")
        ratio = pydantic / fast
        print(
            f"  per document: fast {fast:5.1f} µs, pydantic validate + dump {pydantic:5.1f} µs ({ratio:.1f}x)"
        )


if __name__ == "__main__":
    main()
