"""The performance harness (DESIGN.md §2, §8): call counts and time ratios, never timed asserts.

    python benchmarks/run.py [--sizes 10,50,200] [--latency-ms 0,20] [--parallelism 1,8]
                             [--repeat 3] [--json out.json]

For every size N (objects per kind), emulator latency and parallelism it runs measure.run_one
against an in-process emulator, prints the call counts against their formulas, the wall
times, the scaling ratios between sizes and the speed-up of the highest parallelism over 1,
and checks the call-count invariants (exit 1 when one fails).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import accounts
import measure
from measure import (
    DEFAULT_HOURLY_BUDGET,
    PLAN_READ_FORMULA,
    READ_BACK_FORMULA,
    RunResult,
    check_invariants,
)

from cloudinary_state.kinds import REGISTRY


def _int_list(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or values[0] < 0:
        raise argparse.ArgumentTypeError(f"expected non-negative integers, got {text!r}")
    return values


def _positive_list(text: str) -> list[int]:
    values = _int_list(text)
    if values[0] < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _sizes(text: str) -> list[int]:
    values = _positive_list(text)
    if min(values) < 2:
        raise argparse.ArgumentTypeError(f"sizes start at 2 (each rule reads a second field), got {text!r}")
    if max(values) > accounts.MAX_SIZE:
        raise argparse.ArgumentTypeError(
            f"sizes go up to {accounts.MAX_SIZE} (30 trigger URLs per event type, and each edited "
            f"trigger the only edited one of its event type), got {text!r}"
        )
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[10, 50, 200],
        help="objects per kind (at least 2: a metadata rule reads another field than it targets)",
    )
    parser.add_argument("--latency-ms", type=_int_list, default=[0, 20], help="emulator latency per request")
    parser.add_argument("--parallelism", type=_positive_list, default=[1, 8], help="values to compare")
    parser.add_argument("--repeat", type=int, default=3, help="plans per run; the fastest is kept")
    parser.add_argument("--json", type=Path, help="also write the full results here")
    return parser.parse_args(argv)


# --- derived figures ----------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 else None


def scaling(runs: list[RunResult]) -> list[dict[str, Any]]:
    """t(N2)/t(N1) for consecutive sizes (and smallest to largest), per latency and parallelism:
    linear behaviour shows as a time ratio close to the size ratio."""
    out = []
    for latency, parallelism in sorted({(r.latency_ms, r.parallelism) for r in runs}):
        by_size = sorted(
            (r for r in runs if (r.latency_ms, r.parallelism) == (latency, parallelism)), key=lambda r: r.size
        )
        pairs = list(pairwise(by_size))
        if len(by_size) > 2:
            pairs.append((by_size[0], by_size[-1]))
        for small, large in pairs:
            out.append(
                {
                    "latency_ms": latency,
                    "parallelism": parallelism,
                    "sizes": [small.size, large.size],
                    "size_ratio": _ratio(large.size, small.size),
                    "plan_time_ratio": _ratio(large.phases["plan"].seconds, small.phases["plan"].seconds),
                    "plan_build_time_ratio": _ratio(
                        large.plan_build_seconds["plan"], small.plan_build_seconds["plan"]
                    ),
                    "config_load_time_ratio": _ratio(large.config_load_seconds, small.config_load_seconds),
                    "plan_calls_ratio": _ratio(
                        large.phases["plan"].client_calls, small.phases["plan"].client_calls
                    ),
                    # 1.0: plan time grows exactly with its calls
                    "plan_time_per_call_ratio": _ratio(
                        large.phases["plan"].seconds / large.phases["plan"].client_calls,
                        small.phases["plan"].seconds / small.phases["plan"].client_calls,
                    ),
                    "apply_create_time_ratio": _ratio(
                        large.phases["apply_create"].seconds, small.phases["apply_create"].seconds
                    ),
                }
            )
    return out


def speedups(runs: list[RunResult]) -> list[dict[str, Any]]:
    """Wall time at the lowest parallelism over the highest, per latency and size."""
    out = []
    for latency, size in sorted({(r.latency_ms, r.size) for r in runs}):
        group = sorted(
            (r for r in runs if (r.latency_ms, r.size) == (latency, size)), key=lambda r: r.parallelism
        )
        if len(group) < 2:
            continue
        low, high = group[0], group[-1]
        row: dict[str, Any] = {
            "latency_ms": latency,
            "size": size,
            "parallelism": [low.parallelism, high.parallelism],
        }
        for phase in ("plan", "saved_plan_reread", "apply_create", "apply_update"):
            row[phase] = _ratio(low.phases[phase].seconds, high.phases[phase].seconds)
        out.append(row)
    return out


def overlap_gains(runs: list[RunResult]) -> list[dict[str, Any]]:
    """The plan's read time (without the pure build; the engine overlaps the kinds within
    --parallelism, so at p=1 it reads them in turn) over the same reads with every kind
    started at once, unbounded."""
    out = []
    for r in sorted(runs, key=lambda r: (r.latency_ms, r.parallelism, r.size)):
        engine = r.phases["plan"].seconds - r.plan_build_seconds["plan"]
        overlapped = r.phases["read_kinds_concurrently"].seconds
        out.append(
            {
                "latency_ms": r.latency_ms,
                "parallelism": r.parallelism,
                "size": r.size,
                "engine_seconds": round(engine, 4),
                "all_kinds_at_once_seconds": overlapped,
                "saved_seconds": round(engine - overlapped, 4),
                "ratio": _ratio(engine, overlapped),
            }
        )
    return out


def consistency(runs: list[RunResult]) -> list[str]:
    """Call counts depend on N only, never on latency or parallelism."""
    failures = []
    for size in sorted({r.size for r in runs}):
        group = [r for r in runs if r.size == size]
        for phase in group[0].phases:
            seen = {(r.phases[phase].reads, r.phases[phase].writes) for r in group}
            if len(seen) > 1:
                failures.append(f"N={size}: {phase} call counts differ between runs: {sorted(seen)}")
    return failures


# --- the report -------------------------------------------------------------------------------


def _table(headers: list[str], rows: Iterable[list[Any]]) -> str:
    cells = [headers, *([("-" if c is None else str(c)) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(
    runs: list[RunResult],
    scale: list[dict[str, Any]],
    speed: list[dict[str, Any]],
    overlap: list[dict[str, Any]],
) -> str:
    reference = {r.size: r for r in runs}  # the counts of one size are the same in every run
    counts = []
    for size in sorted(reference):
        r = reference[size]
        p = r.phases
        counts.append(
            [
                size,
                len(REGISTRY) * size,
                f"{p['plan'].reads} ({measure.expected_plan_reads(size)})",
                round(p["plan"].reads / (len(REGISTRY) * size), 3),
                f"{p['plan'].budget_fraction:.1%}",
                f"{p['saved_plan_reread'].reads} ({measure.expected_saved_plan_reread()})",
                f"{p['apply_create'].writes}+{p['apply_create'].reads} "
                f"({measure.expected_read_back(size, size)})",
                f"{p['apply_update'].writes}+{p['apply_update'].reads} "
                f"({measure.expected_read_back(r.edited_per_kind, size)}; {r.edited_per_kind}/kind)",
                p["apply_second"].writes,
                f"{p['apply_create'].budget_fraction:.0%}",
                f"{r.forecasts['plan_empty']['calls']}/{r.forecasts['plan_update']['calls']}",
            ]
        )
    sections = [
        "Admin API calls (identical at every latency and parallelism; expected value in brackets)",
        f"plan reads formula: {PLAN_READ_FORMULA}",
        f"read-back formula: {READ_BACK_FORMULA}",
        _table(
            [
                "N/kind",
                "objects",
                "plan reads",
                "reads/obj",
                f"plan/{DEFAULT_HOURLY_BUDGET}h",
                "saved-plan reread",
                "create w+rb",
                "update 10% w+rb",
                "2nd apply w",
                f"create/{DEFAULT_HOURLY_BUDGET}h",
                "forecast create/update",
            ],
            counts,
        ),
        "w = writes (POST/PUT/DELETE), rb = read-back calls (one bulk read per kind and wave;"
        " expected rb in brackets)",
        "forecast = engine/forecast.py's count for `apply PLAN_FILE` of the first rollout and of the"
        " update (re-read + w + rb), checked against the calls measured",
        "",
        "Wall time, seconds (load = config loading; plan = read + build, fastest of --repeat;"
        " build = the pure build_plan part)",
        _table(
            [
                "latency",
                "p",
                "N/kind",
                "load",
                "plan",
                "build",
                "saved reread",
                "apply create",
                "apply update",
                "conns (plan)",
                "conns (create)",
            ],
            [
                [
                    f"{r.latency_ms}ms",
                    r.parallelism,
                    r.size,
                    r.config_load_seconds,
                    r.phases["plan"].seconds,
                    r.plan_build_seconds["plan"],
                    r.phases["saved_plan_reread"].seconds,
                    r.phases["apply_create"].seconds,
                    r.phases["apply_update"].seconds,
                    r.phases["plan"].connections_opened,
                    r.phases["apply_create"].connections_opened,
                ]
                for r in sorted(runs, key=lambda r: (r.latency_ms, r.parallelism, r.size))
            ],
        ),
        "conns = new HTTP connections the SDK opened in that phase",
    ]
    if scale:
        sections += [
            "",
            "Scaling between sizes (linear: time ratio close to size ratio)",
            _table(
                [
                    "latency",
                    "p",
                    "sizes",
                    "size ratio",
                    "load t",
                    "plan t",
                    "build t",
                    "plan calls",
                    "plan t/call",
                    "create t",
                ],
                [
                    [
                        f"{s['latency_ms']}ms",
                        s["parallelism"],
                        "->".join(map(str, s["sizes"])),
                        s["size_ratio"],
                        s["config_load_time_ratio"],
                        s["plan_time_ratio"],
                        s["plan_build_time_ratio"],
                        s["plan_calls_ratio"],
                        s["plan_time_per_call_ratio"],
                        s["apply_create_time_ratio"],
                    ]
                    for s in scale
                ],
            ),
        ]
    if speed:
        sections += [
            "",
            "Speed-up of the highest parallelism over the lowest (t(low)/t(high))",
            _table(
                ["latency", "N/kind", "p", "plan", "saved reread", "apply create", "apply update"],
                [
                    [
                        f"{s['latency_ms']}ms",
                        s["size"],
                        "{}->{}".format(*s["parallelism"]),
                        s["plan"],
                        s["saved_plan_reread"],
                        s["apply_create"],
                        s["apply_update"],
                    ]
                    for s in speed
                ],
            ),
        ]
    sections += [
        "",
        "What-if: the plan's reads (the kinds overlapped within --parallelism, in turn at p=1)"
        " against every kind started at once, unbounded",
        _table(
            ["latency", "p", "N/kind", "engine", "all kinds at once", "saved", "ratio"],
            [
                [
                    f"{o['latency_ms']}ms",
                    o["parallelism"],
                    o["size"],
                    o["engine_seconds"],
                    o["all_kinds_at_once_seconds"],
                    o["saved_seconds"],
                    o["ratio"],
                ]
                for o in overlap
            ],
        ),
    ]
    return "\n".join(sections) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # warm-up (imports, regex caches, the first connection), not reported
    measure.run_one(min(args.sizes), 0, max(args.parallelism), repeat=1)
    runs: list[RunResult] = []
    for latency in args.latency_ms:
        for parallelism in args.parallelism:
            for size in args.sizes:
                print(f"running N={size} latency={latency}ms parallelism={parallelism}", file=sys.stderr)
                runs.append(measure.run_one(size, latency, parallelism, repeat=args.repeat))
    scale, speed, overlap = scaling(runs), speedups(runs), overlap_gains(runs)
    failures = [f for r in runs for f in check_invariants(r)] + consistency(runs)
    print(report(runs, scale, speed, overlap), end="")
    if failures:
        print("\nINVARIANTS FAILED:\n  " + "\n  ".join(failures))
    else:
        print("\nall call-count invariants hold")
    if args.json is not None:
        document = {
            "format": "cloudinary-state/benchmark@1",
            "command": " ".join(["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "hourly_budget": DEFAULT_HOURLY_BUDGET,
            "plan_read_formula": PLAN_READ_FORMULA,
            "runs": [r.as_json() for r in runs],
            "scaling": scale,
            "speedup": speed,
            "kinds_overlap_what_if": overlap,
            "invariant_failures": failures,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
