"""Reliability of plan/apply under the faults the real service shows (issue 4).

Real SDK over HTTP to the emulator, through the library functions the CLI uses (and the CLI
itself where its exit code or call count is the point): seeded random faults over a whole
apply, answers dropped after the change landed, 420 bursts and 503s while planning, a
permanent 400 in the middle of a wave, and faults that never end. Every scenario ends the
same way: a rerun without faults converges, the next plan is empty, nothing is duplicated.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.harness import CLOUD as HARNESS_CLOUD
from support.harness import STATUS_FIELD, Harness

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.config import load_environment
from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import ApplyFailed, ApplyReport, apply_plan
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Plan, Target, build_plan, default_kinds
from cloudinary_state.errors import ApiError, PolicyRefusal, RetryableApiError
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import AdminApi, LiveObject

CLOUD = "acme-reliability"
API_SECRET = "reliability-secret-4d1e"
KINDS = default_kinds()

# One or two objects of every kind; the preset refers to a transformation and a metadata
# field, so the waves depend on each other.
RESOURCES: dict[str, Any] = {
    "metadata_fields": {
        "sku": {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        "grade": {"type": "string", "label": "Grade"},
        "status": STATUS_FIELD,
    },
    "metadata_rules": {
        "grade_when_sku": {
            "metadata_field_id": "grade",
            "condition": {"metadata_field_id": "sku", "populated": True},
            "result": {"set_mandatory": True},
        },
    },
    "transformations": {
        "thumb": {"transformation": "c_fill,h_100,w_100"},
        "strict_off": {"transformation": "c_scale,w_400/e_sharpen", "allowed_for_strict": False},
    },
    "streaming_profiles": {
        "product_video": {
            "display_name": "Product video",
            "representations": [
                {"transformation": "c_limit,w_1920,h_1080,vc_h264,br_5m"},
                {"transformation": "t_thumb/vc_h264,br_1m"},
            ],
        },
        # a built-in, updated (it cannot be created or deleted, only reverted)
        "hd": {"representations": [{"transformation": "c_limit,w_1280,h_720,vc_h264,br_3m"}]},
    },
    "upload_presets": {
        "product_assets": {
            "settings": {
                "folder": "product_assets",
                "tags": ["product"],
                "transformation": "t_thumb",
                "metadata": "sku=none",
            }
        },
        "plain": {"unsigned": True, "settings": {"folder": "plain"}},
    },
    "upload_mappings": {
        "product_assets": {"template": "https://media.example.test/uploads/"},
        "legacy": {"template": "https://old.example.test/"},
    },
    "triggers": {
        "pim_upload": {"event_type": "upload", "uri": "https://pim.example.test/hooks/upload"},
        "pim_delete": {"event_type": "delete", "uri": "https://pim.example.test/hooks/delete"},
    },
}
# The name of the live trigger `pim_delete` once the config no longer declares it: a tombstone
# names an undeclared trigger by the name it has of its own (event type and URL host).
PIM_DELETE_LIVE = "delete_pim_example_test"


Edit = tuple[str, str, Any]  # (section, name, body); body None removes the object


def edited(resources: Mapping[str, Any], *edits: Edit) -> dict[str, Any]:
    """A copy of `resources` with the edits made."""
    out = copy.deepcopy(dict(resources))
    for section, name, body in edits:
        if body is None:
            out[section].pop(name)
        else:
            out.setdefault(section, {})[name] = body
    return out


STATUS_V2 = {
    "type": "enum",
    "label": "State",
    "datasource": {
        "values": [
            {"external_id": "archived", "value": "Archived"},
            {"external_id": "complete", "value": "Complete"},
        ]
    },
}
PRODUCT_VIDEO_V2 = {
    "display_name": "Product video (v2)",
    "representations": [{"transformation": "c_limit,w_1280,h_720,vc_h264,br_3m"}],
}
# Every kind updated, one object deleted by a tombstone, one created. (A replace, a metadata
# type change, is refused before any write: see the test of that below.)
RESOURCES_V2 = edited(
    RESOURCES,
    ("metadata_fields", "status", STATUS_V2),  # upsert, relabel, remove a value, reorder
    ("metadata_fields", "grade", {"type": "string", "label": "Grade (A-F)"}),
    ("transformations", "thumb", {"transformation": "c_fill,h_120,w_120"}),
    (
        "metadata_rules",
        "grade_when_sku",
        {
            "metadata_field_id": "grade",
            "condition": {"or": [{"metadata_field_id": "sku", "populated": True}]},
            "result": {"set_mandatory": True, "hide": False},
        },
    ),
    ("upload_presets", "plain", {"unsigned": True, "settings": {"folder": "plain", "tags": ["v2"]}}),
    ("streaming_profiles", "product_video", PRODUCT_VIDEO_V2),
    ("upload_mappings", "product_assets", {"template": "https://media.example.test/v2/"}),
    ("upload_mappings", "legacy", {"absent": True}),
    ("upload_mappings", "fresh", {"template": "https://new.example.test/"}),
    ("triggers", "pim_upload", {"event_type": "upload", "uri": "https://pim.example.test/hooks/v2"}),
    ("triggers", "pim_delete", None),
    ("triggers", PIM_DELETE_LIVE, {"absent": True}),
    ("triggers", "pim_rename", {"event_type": "rename", "uri": "https://pim.example.test/hooks/rename"}),
)


# --- the account, the config and the engine -------------------------------------------------


@contextmanager
def account(state_file: Path | None = None, **faults: Any) -> Iterator[EmulatorServer]:
    """The emulated cloud; with the same `state_file` a second server serves the same account."""
    cloud = CloudConfig(name=CLOUD, api_key="rel-key", api_secret=API_SECRET)
    with EmulatorServer([cloud], state_file=state_file, **faults) as emu:
        yield emu


def client(emu: EmulatorServer, **options: Any) -> AdminClient:
    """A client with test-sized backoff (the CLI's defaults are 0.25 s and 60 s)."""
    settings: dict[str, Any] = {"timeout": 5.0, "base_delay": 0.01, "max_retry_seconds": 5.0, "seed": 0}
    settings.update(options)
    return AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), **settings)


class RecordingSleep:
    """The client's sleep, remembering each wait it asked for (per thread: parallel calls
    each have their own retry budget). It really sleeps, so the client's monotonic budget
    clock runs at least as far as the waits add up."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.by_thread: dict[int, list[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            self.by_thread.setdefault(threading.get_ident(), []).append(seconds)
        time.sleep(seconds)


def config(config_dir: Path, resources: Mapping[str, Any], **environment: Any) -> DesiredState:
    envs = config_dir / "environments"
    (envs / "common").mkdir(parents=True, exist_ok=True)
    env_doc = {"cloud_name": CLOUD, "credentials": "CLOUDINARY_URL_TEST", "include": ["common/*.yaml"]}
    env_doc.update(environment)
    (envs / "test.yaml").write_text(yaml.safe_dump(env_doc, sort_keys=False))
    (envs / "common" / "resources.yaml").write_text(yaml.safe_dump(dict(resources), sort_keys=False))
    return load_environment(config_dir, "test", REGISTRY, environ={})


def _digest_key(api: AdminApi) -> bytes:
    """The api_secret of the account `api` talks to (through any wrapper the test adds)."""
    while not isinstance(api, AdminClient):
        api = api.api  # type: ignore[attr-defined]
    return api.credentials.api_secret.encode()


def plan(api: AdminApi, desired: DesiredState, parallelism: int = 4) -> tuple[Plan, dict[Target, LiveObject]]:
    live = read_live(api, KINDS, parallelism=parallelism, desired=desired)  # under the plan's names
    flat = {(kind, name): obj for kind, objects in live.items() for name, obj in objects.items()}
    return build_plan(desired, live, digest_key=_digest_key(api), kinds=KINDS, live_paired=True), flat


def apply_planned(
    api: AdminApi,
    desired: DesiredState,
    planned: Plan,
    live: Mapping[Target, LiveObject],
    parallelism: int = 4,
) -> ApplyReport:
    return apply_plan(api, desired, planned, live, allow_delete=True, kinds=KINDS, parallelism=parallelism)


def apply(api: AdminApi, desired: DesiredState, parallelism: int = 4) -> ApplyReport:
    planned, live = plan(api, desired, parallelism)
    return apply_planned(api, desired, planned, live, parallelism)


def assert_converged(emu: EmulatorServer, desired: DesiredState, context: str = "") -> None:
    """The next plan is empty, and the account holds each declared object exactly once."""
    api = client(emu)
    again, _ = plan(api, desired)
    assert again.changes == (), f"{context}: not converged: {[c.key for c in again.changes]}"
    state = emu.state(CLOUD)
    wanted = {
        kind: sorted(o.name for o in desired.objects if o.kind == kind and not o.absent) for kind in KINDS
    }
    stores: dict[KindName, dict[str, Any]] = {
        "metadata_field": state.metadata_fields,
        "transformation": {n: t for n, t in state.transformations.items() if t["named"]},
        "upload_preset": state.upload_presets,
        "upload_mapping": state.upload_mappings,
        # the built-ins are always there: those the config declares are changed ones
        "streaming_profile": {
            n: p for n, p in state.streaming_profiles.items() if not p["predefined"] or p["_modified"]
        },
    }
    for kind, store in stores.items():
        assert sorted(store) == wanted[kind], f"{context}: {kind} objects in the account"
    # a trigger has no name in the account: each declared one exactly once, by content
    triggers = sorted((t["event_type"], t["uri"]) for t in state.triggers.values())
    declared = [o.body for o in desired.objects if o.kind == "trigger" and not o.absent]
    assert triggers == sorted((b["event_type"], b["uri"]) for b in declared), f"{context}: triggers"
    for field_id, stored in state.metadata_fields.items():
        values = stored.get("datasource", {}).get("values", [])
        ids = [v["external_id"] for v in values]
        texts = [v["value"] for v in values if v["state"] == "active"]
        assert len(ids) == len(set(ids)) and len(texts) == len(set(texts)), f"{context}: {field_id} {values}"


# --- seeded random faults over a whole apply --------------------------------------------------


@dataclass(frozen=True)
class RandomCase:
    seed: int
    fault_rate: float
    max_retry_seconds: float  # 5 s outlasts any streak of faults; 0-0.03 s gives up mid-apply
    parallelism: int = 1  # 1: the request order, hence the faults, replay exactly from the seed

    @property
    def generous(self) -> bool:
        return self.max_retry_seconds >= 1.0


# The tight-budget seeds were picked so that between them the apply stops in every way: in the
# first wave, mid-way, in the last wave, twice in one parallel wave, and in the plan's reads
# (re-picked when streaming profiles joined the account: more calls move every fault).
RANDOM_CASES = [
    RandomCase(seed=1, fault_rate=0.1, max_retry_seconds=5.0),
    RandomCase(seed=2, fault_rate=0.2, max_retry_seconds=5.0),
    RandomCase(seed=3, fault_rate=0.3, max_retry_seconds=5.0),
    RandomCase(seed=4, fault_rate=0.3, max_retry_seconds=5.0, parallelism=4),
    RandomCase(seed=4, fault_rate=0.3, max_retry_seconds=0.03),
    RandomCase(seed=21, fault_rate=0.3, max_retry_seconds=0.03),
    RandomCase(seed=6, fault_rate=0.2, max_retry_seconds=0.0),
    RandomCase(seed=26, fault_rate=0.3, max_retry_seconds=0.02, parallelism=4),
    RandomCase(seed=3, fault_rate=0.3, max_retry_seconds=0.03),
]


def _check_failed_apply(report: ApplyReport, planned: Plan, message: str, replay: str) -> None:
    everything = [c.key for c in planned.changes]
    reported = [c.key for c in report.applied] + [c.key for c, _ in report.failed]
    reported += [c.key for c in report.not_attempted]
    assert sorted(reported) == sorted(everything), f"{replay}: each change reported exactly once"
    assert report.failed, replay
    for change, why in report.failed:
        assert "gave up after" in why, f"{replay}: {change.key}: {why}"
    head = message.splitlines()[0]
    assert f"{len(report.applied)} applied, {len(report.failed)} failed" in head, f"{replay}: {head}"
    assert f"{len(report.not_attempted)} not attempted" in head, f"{replay}: {head}"


@pytest.mark.parametrize(
    "case",
    RANDOM_CASES,
    ids=[
        f"seed{c.seed}-rate{c.fault_rate}-budget{c.max_retry_seconds}-p{c.parallelism}" for c in RANDOM_CASES
    ],
)
def test_apply_under_random_faults_succeeds_or_stops_cleanly_and_a_rerun_converges(
    case: RandomCase, tmp_path: Path
) -> None:
    state_file = tmp_path / "account.json"
    for stage, resources in enumerate((RESOURCES, RESOURCES_V2), start=1):
        fault_seed = case.seed * 10 + stage
        replay = f"replay: {case}, stage {stage} (fault_seed={fault_seed})"
        desired = config(tmp_path / "config", resources)
        with account(state_file, fault_rate=case.fault_rate, fault_seed=fault_seed) as emu:
            api = client(emu, max_retry_seconds=case.max_retry_seconds, seed=case.seed)
            planned: Plan | None = None
            report: ApplyReport | None = None
            try:
                planned, live = plan(api, desired, case.parallelism)
                apply_planned(api, desired, planned, live, case.parallelism)
            except ApplyFailed as failed:
                assert not case.generous, f"{replay}: {failed}"
                assert planned is not None
                _check_failed_apply(failed.report, planned, str(failed), replay)
                report = failed.report
            except ApiError as error:  # the plan's reads gave up: nothing was written
                assert not case.generous, f"{replay}: {error}"
                assert planned is None and isinstance(error, RetryableApiError), f"{replay}: {error!r}"
                assert [r for r in emu.request_log if r.method != "GET"] == [], replay
            # every attempt the server saw is one the client counted
            assert api.calls == len(emu.request_log), replay
        with account(state_file) as emu:  # the same account, without faults
            rerun, live = plan(client(emu), desired)
            if report is not None:
                pending = {(c.kind, c.name, c.action) for c in rerun.changes}
                for change in report.not_attempted:
                    assert (change.kind, change.name, change.action) in pending, f"{replay}: {change.key}"
                for change in report.applied:
                    assert (change.kind, change.name) not in {(k, n) for k, n, _ in pending}, replay
            apply_planned(client(emu), desired, rerun, live)
            assert_converged(emu, desired, replay)


# --- answers dropped after the change landed --------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    """Apply `after` over an account holding `before`; the write that is the `skip`-th request
    (0-based) to `path_prefix` during the apply lands, and its answer is cut."""

    id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    path_prefix: str
    skip: int = 0
    retry_status: tuple[int, ...] = (200,)  # what the retry of the dropped write meets


def _without(section: str, name: str) -> dict[str, Any]:
    return edited(RESOURCES, (section, name, None))


def _with(section: str, name: str, body: Any) -> dict[str, Any]:
    return edited(RESOURCES, (section, name, body))


DROPPED = [
    # creates: the retry meets the object its first attempt made
    Dropped(
        "create-metadata_field",
        _without("metadata_fields", "status"),
        RESOURCES,
        "metadata_fields",
        retry_status=(400, 409),
    ),
    # a transformation create is two writes when allowed_for_strict is off: drop each
    Dropped(
        "create-transformation",
        _without("transformations", "strict_off"),
        RESOURCES,
        "transformations",
        skip=0,
        retry_status=(409,),
    ),
    Dropped(
        "create-transformation-then-flag",
        _without("transformations", "strict_off"),
        RESOURCES,
        "transformations",
        skip=1,
    ),
    Dropped(
        "create-upload_preset",
        _without("upload_presets", "plain"),
        RESOURCES,
        "upload_presets",
        retry_status=(409,),
    ),
    Dropped(
        "create-streaming_profile",
        _without("streaming_profiles", "product_video"),
        RESOURCES,
        "streaming_profiles",
        retry_status=(409,),
    ),
    Dropped(
        "create-upload_mapping",
        _without("upload_mappings", "legacy"),
        RESOURCES,
        "upload_mappings",
        retry_status=(409,),
    ),
    # updates: every write of a metadata update (upsert, field, remove values, reorder)
    *[
        Dropped(
            f"update-metadata_field-write{i}",
            RESOURCES,
            _with("metadata_fields", "status", STATUS_V2),
            "metadata_fields",
            skip=i,
        )
        for i in range(4)
    ],
    Dropped(
        "update-transformation",
        RESOURCES,
        _with("transformations", "thumb", RESOURCES_V2["transformations"]["thumb"]),
        "transformations",
    ),
    Dropped(
        "update-upload_preset",
        RESOURCES,
        _with("upload_presets", "plain", RESOURCES_V2["upload_presets"]["plain"]),
        "upload_presets",
    ),
    Dropped(
        "update-streaming_profile",
        RESOURCES,
        _with("streaming_profiles", "product_video", PRODUCT_VIDEO_V2),
        "streaming_profiles",
    ),
    Dropped(
        "update-trigger",  # the URL, in place
        RESOURCES,
        _with("triggers", "pim_upload", RESOURCES_V2["triggers"]["pim_upload"]),
        "triggers",
    ),
    Dropped(
        "update-upload_mapping",
        RESOURCES,
        _with("upload_mappings", "legacy", {"template": "https://other.example.test/"}),
        "upload_mappings",
    ),
    # deletes: the retry meets a 404
    Dropped(
        "delete-metadata_field",
        RESOURCES,
        _with("metadata_fields", "status", {"absent": True}),
        "metadata_fields",
        retry_status=(404,),
    ),
    Dropped(
        "delete-transformation",
        RESOURCES,
        _with("transformations", "strict_off", {"absent": True}),
        "transformations",
        retry_status=(404,),
    ),
    Dropped(
        "delete-upload_preset",
        RESOURCES,
        _with("upload_presets", "plain", {"absent": True}),
        "upload_presets",
        retry_status=(404,),
    ),
    Dropped(
        "delete-streaming_profile",
        RESOURCES,
        _with("streaming_profiles", "product_video", {"absent": True}),
        "streaming_profiles",
        retry_status=(404,),
    ),
    # a built-in reverted: the retry meets an unchanged built-in, which the API cannot delete
    Dropped(
        "revert-streaming_profile",
        RESOURCES,
        _with("streaming_profiles", "hd", {"absent": True}),
        "streaming_profiles",
        retry_status=(400,),
    ),
    Dropped(
        "delete-upload_mapping",
        RESOURCES,
        _with("upload_mappings", "legacy", {"absent": True}),
        "upload_mappings",
        retry_status=(404,),
    ),
    Dropped(
        "delete-trigger",
        RESOURCES,
        edited(RESOURCES, ("triggers", "pim_delete", None), ("triggers", PIM_DELETE_LIVE, {"absent": True})),
        "triggers",
        retry_status=(404,),
    ),
]


@pytest.mark.parametrize("case", DROPPED, ids=[c.id for c in DROPPED])
def test_write_whose_answer_was_dropped_is_retried_without_error(case: Dropped, tmp_path: Path) -> None:
    with account() as emu:
        apply(client(emu), config(tmp_path / "config", case.before))
        desired = config(tmp_path / "config", case.after)
        api = client(emu)
        planned, live = plan(api, desired)
        assert len(planned.changes) >= 1
        emu.clear_log()
        if case.skip:  # let the first `skip` matching requests through untouched
            emu.inject(kind="latency", latency_ms=0, count=case.skip, path_prefix=case.path_prefix)
        emu.inject(kind="drop_after", count=1, path_prefix=case.path_prefix)
        report = apply_planned(api, desired, planned, live)
        assert report.ok
        log = [r for r in emu.request_log if r.path.startswith(case.path_prefix)]
        dropped = next(i for i, r in enumerate(log) if r.status == 0)
        assert dropped == case.skip and log[dropped].method != "GET", [(r.method, r.path) for r in log]
        retry = log[dropped + 1]
        assert (retry.method, retry.path) == (log[dropped].method, log[dropped].path)
        assert retry.status in case.retry_status, (retry.method, retry.path, retry.status)
        assert_converged(emu, desired, case.id)


@pytest.mark.parametrize("reserving", [True, False], ids=["reserving", "releasing"])
def test_metadata_type_change_is_refused_before_any_write_whatever_the_account(
    reserving: bool, tmp_path: Path
) -> None:
    """The live service keeps a deleted external_id reserved, so a replace would delete the
    field and its values and then fail: refused even on an account that would let it through."""
    cloud = CloudConfig(CLOUD, "rel-key", API_SECRET, reserve_deleted_metadata_ids=reserving)
    with EmulatorServer([cloud]) as emu:
        apply(client(emu), config(tmp_path / "config", RESOURCES))
        desired = config(
            tmp_path / "config", _with("metadata_fields", "grade", {"type": "integer", "label": "G"})
        )
        api = client(emu)
        planned, live = plan(api, desired)
        assert [(c.key, c.action) for c in planned.changes] == [("metadata_field:grade", "replace")]
        emu.clear_log()
        with pytest.raises(PolicyRefusal, match="metadata_field:grade: its type changes") as refused:
            apply_planned(api, desired, planned, live)
        assert refused.value.exit_code == 3
        assert [(r.method, r.path) for r in emu.request_log if r.method != "GET"] == []
        assert emu.state(CLOUD).metadata_fields["grade"]["type"] == "string"


# --- faults while planning ---------------------------------------------------------------------


def test_plan_comes_out_right_through_a_420_burst_and_503s_and_counts_every_attempt(tmp_path: Path) -> None:
    with account() as emu:
        apply(client(emu), config(tmp_path / "config", RESOURCES))
        desired = config(tmp_path / "config", RESOURCES_V2)
        expected, _ = plan(client(emu), desired)
        assert {c.action for c in expected.changes} == {"create", "update", "delete"}
        emu.clear_log()
        emu.inject(kind="status", status=420, count=3)
        emu.inject(kind="status", status=503, count=2, path_prefix="upload_presets")
        emu.inject(kind="status", status=503, count=1, path_prefix="transformations")
        emu.inject(kind="drop", count=1, path_prefix="upload_mappings")
        api = client(emu)
        got, _ = plan(api, desired)
        assert got.changes == expected.changes and got.summary == expected.summary
        statuses = [r.status for r in emu.request_log]
        assert statuses.count(420) == 3 and statuses.count(503) == 3 and statuses.count(0) == 1
        assert api.calls == len(emu.request_log) and api.retries == 7


def test_cli_plan_reports_the_calls_it_made_retries_included(harness: Harness) -> None:
    harness.emu.inject(kind="status", status=420, count=2)
    harness.emu.inject(kind="status", status=503, count=1, path_prefix="upload_presets")
    result = harness.run("plan", "--env", "test", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert len(document["changes"]) == 5
    assert document["api_calls"] == len(harness.emu.request_log)
    assert [r.status for r in harness.emu.request_log].count(420) == 2


def test_budget_spent_by_parallel_calls_gives_up_at_once_naming_the_reset() -> None:
    """Answers of concurrent calls are recorded out of order, so the last Remaining recorded
    can be an older, higher one than the answer that spent the budget: the 420s that follow
    are the quota all the same, and must not be retried as if they were a burst."""
    cloud = CloudConfig(name=CLOUD, api_key="rel-key", api_secret=API_SECRET)
    with EmulatorServer([cloud], rate_limit=40) as emu:
        sleep = RecordingSleep()
        api = client(emu, base_delay=0.05, max_retry_seconds=5.0, sleep=sleep)

        def ping(_: int) -> str:
            try:
                api.call("ping")
            except RetryableApiError as e:
                return str(e)
            return ""

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(ping, range(80)))
        refused = [why for why in results if why]
        assert len(refused) == 40
        for why in refused:
            assert "hourly Admin API budget is exhausted" in why, why
        # every retry was a short backoff of a worker that did not know yet, never a wait for
        # the reset; at most one per worker
        assert len(sleep.waits) == api.retries <= 16
        assert all(wait <= 0.05 for wait in sleep.waits), sleep.waits
        assert api.calls == 80 + api.retries == len(emu.request_log)


# --- a permanent error in the middle of a wave ----------------------------------------------


def test_permanent_400_finishes_the_wave_stops_later_waves_and_a_rerun_converges(harness: Harness) -> None:
    fields = {n: {"type": "string", "label": n.upper()} for n in ("field_a", "field_b", "field_c")}
    harness.write({"metadata_fields": fields})
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    relabelled = {n: {"type": "string", "label": f"{n} v2"} for n in fields}
    harness.write(
        {
            "metadata_fields": relabelled,
            "transformations": {"thumb": {"transformation": "c_fill,h_100,w_100"}},
            "upload_presets": {"later": {"settings": {"folder": "later", "transformation": "t_thumb"}}},
            "upload_mappings": {"later": {"template": "https://media.example.test/later/"}},
        }
    )
    # the field update is the only request to this path (the plan reads the list endpoint);
    # it is the wave's last change, so the other two are in flight when it fails
    harness.emu.inject(kind="status", status=400, count=1, path_prefix="metadata_fields/field_c")
    result = harness.run("-v", "apply", "--env", "test", "--auto-approve", "--parallelism", "8")
    assert result.code == 1, result.out + result.err
    err = result.err
    assert "apply stopped: 2 applied, 1 failed, 3 not attempted" in err
    assert "failed update metadata_field:field_c" in err and "Injected server error" in err
    assert "applied update metadata_field:field_a" in err and "applied update metadata_field:field_b" in err
    # counted by kind in the message, and (-v) listed one per line
    assert "not attempted: 1 transformation, 1 upload_preset, 1 upload_mapping" in err
    for later in ("transformation:thumb", "upload_preset:later", "upload_mapping:later"):
        assert f"not attempted create {later}" in err
    state = harness.emu.state(HARNESS_CLOUD)
    assert [state.metadata_fields[n]["label"] for n in sorted(fields)] == [
        "field_a v2",
        "field_b v2",
        "FIELD_C",
    ]
    assert state.transformations == {} and state.upload_presets == {} and state.upload_mappings == {}
    rerun = harness.run("apply", "--env", "test", "--auto-approve")
    assert rerun.code == 0, rerun.err
    assert "3 created, 1 updated" in rerun.out
    assert harness.run("plan", "--env", "test", "--detailed-exitcode").code == 0


# --- faults that never end ---------------------------------------------------------------------

TIMEOUT, BUDGET = 0.2, 0.6

ENDLESS: list[dict[str, Any]] = [
    {"kind": "status", "status": 503},
    {"kind": "status", "status": 420},
    {"kind": "drop"},
    {"kind": "latency", "latency_ms": 1000},  # every attempt times out
]


@pytest.mark.parametrize("fault", ENDLESS, ids=[f["kind"] + str(f.get("status", "")) for f in ENDLESS])
def test_a_fault_that_never_ends_gives_up_within_the_bound(fault: dict[str, Any], tmp_path: Path) -> None:
    with account() as emu:
        desired = config(tmp_path / "config", {"upload_mappings": RESOURCES["upload_mappings"]})
        sleep = RecordingSleep()
        api = client(emu, timeout=TIMEOUT, max_retry_seconds=BUDGET, base_delay=0.05, sleep=sleep)
        planned, live = plan(api, desired)
        emu.inject(count=10**6, path_prefix="upload_mappings", **fault)
        emu.clear_log()
        planning_calls, sleep.waits, sleep.by_thread = api.calls, [], {}
        with pytest.raises(ApplyFailed) as caught:
            apply_planned(api, desired, planned, live, parallelism=2)
        report = caught.value.report
        assert len(report.failed) == 2 and not report.applied
        attempts = api.calls - planning_calls
        for _, why in report.failed:
            assert "create_upload_mapping: gave up after" in why, why
            if fault["kind"] == "latency":  # each attempt abandoned at the timeout
                assert "timed out" in why.lower(), why
        # two creates, each retried until its budget ran out: every attempt but the first of
        # each followed a wait, and one create's waits add up to no more than the budget
        assert attempts == len(sleep.waits) + 2 and len(sleep.waits) >= 2
        assert all(sum(waits) <= BUDGET for waits in sleep.by_thread.values()), sleep.by_thread
        if fault["kind"] != "latency":  # a timed-out request is logged once its slow answer goes out
            assert attempts == len(emu.request_log)


class RecordingApi:
    """The real client, remembering one call of each function the kinds use (the protocol's
    only method is `call`: this is the same client over the same HTTP, not a stand-in)."""

    def __init__(self, api: AdminClient) -> None:
        self.api = api
        self.seen: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def call(self, function: str, /, *args: Any, **params: Any) -> dict[str, Any]:
        self.seen.setdefault(function, (args, params))
        return self.api.call(function, *args, **params)


@dataclass
class Replayed:
    function: str
    error: Exception | None


def _all_tombstoned(*configs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        section: {name: {"absent": True} for c in configs for name in c.get(section, {})}
        for section in RESOURCES
    }


# Every SDK function the kinds call: a new one must join the lifecycle below.
KIND_FUNCTIONS = {
    "list_metadata_fields", "metadata_field_by_field_id", "add_metadata_field",
    "update_metadata_field", "delete_metadata_field", "update_metadata_field_datasource",
    "delete_datasource_entries", "restore_metadata_field_datasource",
    "reorder_metadata_field_datasource",
    "transformations", "transformation", "create_transformation", "update_transformation",
    "delete_transformation",
    "list_metadata_rules", "add_metadata_rule", "update_metadata_rule", "delete_metadata_rule",
    "list_streaming_profiles", "get_streaming_profile", "create_streaming_profile",
    "update_streaming_profile", "delete_streaming_profile",
    "upload_presets", "upload_preset", "create_upload_preset", "update_upload_preset",
    "delete_upload_preset",
    "upload_mappings", "upload_mapping", "create_upload_mapping", "update_upload_mapping",
    "delete_upload_mapping",
    "triggers", "create_trigger", "update_trigger", "delete_trigger",
}  # fmt: skip


def test_every_call_the_kinds_make_carries_the_timeout(tmp_path: Path) -> None:
    """Replay one call of every SDK function a create / update / delete lifecycle of every kind
    uses, against a server slower than the timeout: each fails fast with a retryable error."""
    with account() as emu:
        recorder = RecordingApi(client(emu))
        # create, update, delete; back again (a datasource value restored); all gone
        for resources in (RESOURCES, RESOURCES_V2, RESOURCES, _all_tombstoned(RESOURCES, RESOURCES_V2)):
            # deleting everything is what the safety threshold is there to stop: lifted here;
            # triggers have no names in the account, so tombstones of the config's names do not
            # reach them: pruned
            lifted = {"safety": {"max_delete_percent": 100}, "prune": ["triggers"]}
            apply(recorder, config(tmp_path / "config", resources, policy=lifted))
        # apply reads back in bulk (read_many); the detail GETs of read_one remain for a create
        # whose retry meets a conflict (it checks what is there): call each kind's once
        for kind in KINDS.values():
            kind.read_one(recorder, "product_assets")
        assert set(recorder.seen) == KIND_FUNCTIONS

        emu.inject(kind="latency", latency_ms=1000, count=10**6)
        impatient = client(emu, timeout=TIMEOUT, max_retry_seconds=0.0)

        def replay(function: str) -> Replayed:
            args, params = recorder.seen[function]
            # the abandoned attempt lands once its latency is over, and a create's lost-answer
            # check (already_done) would find it: this replay is about the timeout alone
            params = {k: v for k, v in params.items() if k != "already_done"}
            try:
                impatient.call(function, *args, **params)
            except Exception as e:  # reported per function below
                return Replayed(function, e)
            return Replayed(function, None)

        with ThreadPoolExecutor(max_workers=len(recorder.seen)) as pool:
            results = list(pool.map(replay, sorted(recorder.seen)))
        # without the timeout a call would wait out the 1 s latency and succeed
        wrong = [
            f"{r.function}: {r.error!r}"
            for r in results
            if not isinstance(r.error, RetryableApiError) or "timed out" not in str(r.error).lower()
        ]
        assert wrong == []
        assert impatient.calls == len(recorder.seen)  # one abandoned attempt each
