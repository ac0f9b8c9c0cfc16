"""Config loading and plan building against their targets (issue 9): ratios, never timed asserts.

    python benchmarks/load.py [--sizes 1000,5000,10000] [--files 8] [--repeat 5]
                              [--plan-size 10000] [--clock wall|cpu] [--json out.json]

For every size N (objects asked for in all, an equal share per kind; triggers are capped at
what the API takes, so the table counts somewhat fewer: ask 11500 for about 10,000) it writes a
config directory of `--files` resource documents plus an environment file that includes them,
sets variables and overrides some objects, and times (best of `--repeat`):

- `yaml`: a bare `yaml.load(text, Loader=yaml.CSafeLoader)` of every file (read included);
- `load`: `config.load_environment`, the whole path: YAML with marks, includes, overrides,
  interpolation, validation, cross-object checks and the DesiredState.

It prints the ratio load/yaml (target: at most 2) and the time per object, whose steadiness
across sizes shows linearity. Then it times `engine.plan.build_plan` over `--plan-size`
desired objects against a live state of the same objects, a tenth of them changed
(target: under 0.5 s).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import accounts
import yaml

from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.engine.plan import LiveState, build_plan, default_kinds
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.runner import load_environment
from cloudinary_state.transformation import canonical, grammar

ENV = "bench"
OVERRIDE_EVERY = 50  # one preset in 50 gets an environment override
KINDS = len(accounts.resources(2))  # the sections of the generated account, one per kind


def _int_list(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or values[0] < KINDS:
        raise argparse.ArgumentTypeError(f"expected integers of at least {KINDS}, got {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=_int_list,
        default=[1000, 5000, 10000],
        help=f"objects in all (at least {2 * KINDS}: each metadata rule reads a second field)",
    )
    parser.add_argument("--files", type=int, default=8, help="resource documents the objects are spread over")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the fastest is kept")
    parser.add_argument("--plan-size", type=int, default=10000, help="objects in the build_plan measurement")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall time, or this process's CPU time (steadier on a machine busy with other work)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if min([*args.sizes, args.plan_size or 2 * KINDS]) < 2 * KINDS:
        parser.error(f"sizes start at {2 * KINDS} objects: two per kind (a rule reads a second field)")
    return args


# --- the generated config -----------------------------------------------------------------------


def _with_variables(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Mapping templates through `${var.*}` (and one in ten through `${env.*:-default}`), as a
    real config writes them: interpolation is part of what loading costs."""
    for i, body in enumerate(resources["upload_mappings"].values()):
        host = "${env.BENCH_HOST:-media.bench.example}" if i % 10 == 0 else "${var.media_host}"
        body["template"] = body["template"].replace("media.bench.example", host)
    return resources


def _split(resources: dict[str, dict[str, Any]], files: int) -> list[dict[str, dict[str, Any]]]:
    """Each kind's objects dealt round-robin into `files` documents: every file mixes the kinds."""
    docs: list[dict[str, dict[str, Any]]] = [{section: {} for section in resources} for _ in range(files)]
    for section, objects in resources.items():
        for i, (name, body) in enumerate(objects.items()):
            docs[i % files][section][name] = body
    return docs


def account(total: int, *, edit: bool = False) -> dict[str, dict[str, Any]]:
    """About `total` objects, an equal share per kind, but no more triggers than the API takes
    (30 URLs per event type: accounts.MAX_SIZE of them spread over the event types)."""
    resources = accounts.resources(total // KINDS, edit=edit)
    triggers = resources.get("triggers", {})
    resources["triggers"] = dict(list(triggers.items())[: accounts.MAX_SIZE])
    return resources


def write_config(config_dir: Path, total: int, files: int, *, edit: bool = False) -> list[Path]:
    """The config of `account(total)` in `files` documents; returns every file."""
    per_kind = total // KINDS
    resources = _with_variables(account(total, edit=edit))
    overrides = {
        accounts.preset_name(i): {"settings": {"tags": ["bench", "overridden"]}}
        for i in range(0, per_kind, OVERRIDE_EVERY)
    }
    environment = {
        "cloud_name": accounts.CLOUD,
        "credentials": "BENCH_CLOUDINARY_URL",
        "include": ["resources/*.yaml"],
        "variables": {"media_host": "media.bench.example"},
        "overrides": {"upload_presets": overrides},
    }
    env_dir = config_dir / "environments"
    (env_dir / "resources").mkdir(parents=True, exist_ok=True)
    written = [env_dir / f"{ENV}.yaml"]
    written[0].write_text(yaml.safe_dump(environment, sort_keys=False))
    for n, doc in enumerate(_split(resources, files)):
        path = env_dir / "resources" / f"part_{n:02d}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        written.append(path)
    return written


# --- timing -------------------------------------------------------------------------------------


CLOCK: Callable[[], float] = time.perf_counter


def best_of(repeat: int, *actions: Callable[[], object]) -> list[float]:
    """The fastest of `repeat` runs of each action. The actions take turns, so that a machine
    busy with other work slows them alike; each run starts after a full collection (so one
    run's garbage is not another's cost)."""
    best = [float("inf")] * len(actions)
    for _ in range(repeat):
        for i, action in enumerate(actions):
            gc.collect()
            started = CLOCK()
            action()
            best[i] = min(best[i], CLOCK() - started)
    return best


def bare_parse(files: list[Path]) -> None:
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def without_collector(action: Callable[[], object]) -> Callable[[], object]:
    """`action` with the cyclic garbage collector off: its full collections scan every object of
    the process, so their cost grows with the heap; this shows the work that is the loader's."""

    def run() -> object:
        gc.disable()
        try:
            return action()
        finally:
            gc.enable()

    return run


def measure_load(total: int, files: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        written = write_config(config_dir, total, files)
        state = load_environment(config_dir, ENV, environ={})
        generated = sum(len(section) for section in account(total).values())
        assert len(state.objects) == generated, "the generated config must load whole"

        def load() -> object:
            return load_environment(config_dir, ENV, environ={})

        times = best_of(
            repeat,
            lambda: bare_parse(written),
            load,
            without_collector(lambda: bare_parse(written)),
            without_collector(load),
        )
        size = sum(p.stat().st_size for p in written)
    yaml_seconds, load_seconds, yaml_no_gc, load_no_gc = times
    n = len(state.objects)
    return {
        "objects": n,
        "files": len(written),
        "bytes": size,
        "yaml_seconds": round(yaml_seconds, 4),
        "load_seconds": round(load_seconds, 4),
        "ratio": round(load_seconds / yaml_seconds, 2),
        "us_per_object": round(load_seconds / n * 1e6, 1),
        "yaml_seconds_no_gc": round(yaml_no_gc, 4),
        "load_seconds_no_gc": round(load_no_gc, 4),
        "ratio_no_gc": round(load_no_gc / yaml_no_gc, 2),
        "us_per_object_no_gc": round(load_no_gc / n * 1e6, 1),
    }


# --- build_plan ---------------------------------------------------------------------------------


def clear_caches() -> None:
    """Empty the memo caches of the transformation grammar, so that a run finds nothing that the
    previous run (or the loads before it) left there: the worst case."""
    for module in (grammar, canonical):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def live_state_of(state: DesiredState) -> LiveState:
    """A live state holding exactly the objects of `state`, in the kinds' canonical form."""
    kinds = default_kinds()
    live: dict[KindName, dict[str, LiveObject]] = {kind: {} for kind in REGISTRY.names()}
    for obj in state.objects:
        canonical = kinds[obj.kind].canonical_desired(obj)
        live[obj.kind][obj.name] = LiveObject(obj.kind, obj.name, canonical, raw={"name": obj.name})
    return live


def measure_plan(total: int, files: int, repeat: int) -> dict[str, Any]:
    """build_plan with empty caches (the worst case), and right after loading the config, as
    the plan command runs it (the load has parsed the transformation strings)."""
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        write_config(config_dir, total, files)
        live = live_state_of(load_environment(config_dir, ENV, environ={}))
        write_config(config_dir, total, files, edit=True)  # a tenth of each kind changed
        desired = load_environment(config_dir, ENV, environ={})
        plan = build_plan(desired, live, digest_key=b"bench")

        def cold() -> object:
            clear_caches()
            return build_plan(desired, live, digest_key=b"bench")

        cold_seconds = best_of(repeat, cold)[0]
        after_load = []
        for _ in range(repeat):
            clear_caches()
            loaded = load_environment(config_dir, ENV, environ={})
            after_load += best_of(1, lambda: build_plan(loaded, live, digest_key=b"bench"))  # noqa: B023
    return {
        "objects": len(desired.objects),
        "changes": len(plan.changes),
        "unchanged": plan.summary.unchanged,
        "seconds": round(cold_seconds, 4),
        "seconds_after_load": round(min(after_load), 4),
    }


# --- report -------------------------------------------------------------------------------------


def print_load_table(rows: list[dict[str, Any]]) -> None:
    print("load_environment against a bare CSafeLoader parse of the same files (best of runs)")
    columns = f"{'yaml s':>7} {'load s':>7} {'ratio':>6} {'us/obj':>7}"
    print(f"{'':>20} {'as run':-^30}   {'garbage collector off':-^30}")
    print(f"{'objects':>8} {'files':>5} {'MB':>5} {columns}   {columns}")
    for r in rows:
        print(
            f"{r['objects']:>8} {r['files']:>5} {r['bytes'] / 1e6:>5.2f} {r['yaml_seconds']:>7.3f} "
            f"{r['load_seconds']:>7.3f} {r['ratio']:>6.2f} {r['us_per_object']:>7.1f}   "
            f"{r['yaml_seconds_no_gc']:>7.3f} {r['load_seconds_no_gc']:>7.3f} {r['ratio_no_gc']:>6.2f} "
            f"{r['us_per_object_no_gc']:>7.1f}"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        spread = last["us_per_object"] / first["us_per_object"]
        spread_no_gc = last["us_per_object_no_gc"] / first["us_per_object_no_gc"]
        yaml_spread = (last["yaml_seconds"] / last["objects"]) / (first["yaml_seconds"] / first["objects"])
        print(
            f"time per object, largest size over smallest (1.00 is linear): load {spread:.2f}, "
            f"bare parse {yaml_spread:.2f}; without the collector: load {spread_no_gc:.2f}"
        )
    print("target: ratio at most 2.00")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"clock: {args.clock}")
    rows = [measure_load(size, args.files, args.repeat) for size in args.sizes]
    print_load_table(rows)
    plan = measure_plan(args.plan_size, args.files, args.repeat) if args.plan_size else None
    if plan is not None:
        print()
        print(
            f"build_plan over {plan['objects']} objects ({plan['changes']} changes, "
            f"{plan['unchanged']} unchanged): {plan['seconds']:.3f} s with empty caches, "
            f"{plan['seconds_after_load']:.3f} s right after the load (target: under 0.5 s)"
        )
    if args.json:
        args.json.write_text(json.dumps({"load": rows, "plan": plan}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
