"""The call forecast's pure parts (engine/forecast.py): its document form, the budget check
and the wave gate of `--allow-partial`, and the kinds' read counts."""

from __future__ import annotations

import pytest

from cloudinary_state.engine.forecast import BudgetRefusal, Forecast, check_budget, wave_gate
from cloudinary_state.kinds import REGISTRY

RESET = 1_796_041_200.0  # 2026-11-30T12:20:00Z
FORECAST = Forecast(reread=7, writes=12, read_backs=9, waves=(6, 5, 10), remaining=30, resets_at=RESET)


def test_the_document_form_round_trips_and_names_the_reset_time() -> None:
    document = FORECAST.as_dict()
    assert document == {
        "calls": 28,
        "reread": 7,
        "writes": 12,
        "read_backs": 9,
        "waves": [6, 5, 10],
        "remaining": 30,
        "resets_at": "2026-11-30T12:20:00Z",
    }
    assert Forecast.from_dict(document) == FORECAST
    assert Forecast.from_dict({**document, "remaining": None, "resets_at": None}).remaining is None


@pytest.mark.parametrize(
    "change",
    [{"writes": -1}, {"reread": "7"}, {"read_backs": True}, {"waves": [1, None]}, {"waves": 3},
     {"remaining": -2}, {"resets_at": "tomorrow"}],
)  # fmt: skip
def test_a_malformed_forecast_is_a_value_error(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Forecast.from_dict({**FORECAST.as_dict(), **change})


def test_the_plan_warns_only_when_the_forecast_exceeds_what_remains() -> None:
    assert FORECAST.warning() is None  # 28 of 30
    short = Forecast(7, 12, 9, (6, 5, 10), remaining=27, resets_at=RESET)
    warning = short.warning()
    assert warning is not None and "needs 28 Admin API calls and 27 remain" in warning
    assert "resets at 12:20:00 UTC" in warning and "--allow-partial" in warning
    assert Forecast(7, 12, 9).warning() is None  # the budget was not reported
    assert "hourly budget not reported" in Forecast(7, 12, 9).line()


def test_apply_is_refused_when_its_writes_and_read_backs_do_not_fit() -> None:
    check_budget(FORECAST, 21, RESET)  # the re-read is behind it: 21 is enough
    check_budget(FORECAST, None, None)  # unreported: nothing to refuse on
    with pytest.raises(BudgetRefusal, match=r"needs 21 Admin API calls .* and 20 remain") as refused:
        check_budget(FORECAST, 20, RESET)
    assert refused.value.exit_code == 3 and "resets at 12:20:00 UTC" in str(refused.value)


def test_the_wave_gate_stops_before_the_first_wave_that_cannot_finish() -> None:
    left = iter([30, 24, 9])
    gate = wave_gate(FORECAST, 3, lambda: next(left), lambda: RESET)
    assert gate(0, []) is None and gate(1, []) is None
    stopped = gate(2, [])
    assert stopped is not None and "wave 3 of 3 needs 10 calls" in stopped and "9 remain" in stopped
    with pytest.raises(BudgetRefusal, match="plan again"):
        wave_gate(FORECAST, 4, lambda: 100, lambda: None)  # not the waves the plan counted


def test_every_kind_reads_nothing_for_no_names_and_at_most_a_call_per_name_plus_its_list() -> None:
    for kind in REGISTRY:
        assert kind.read_many_calls(0, 0, 1200) == 0, kind.kind
        for names, present in ((1, 0), (1, 1), (3, 0), (3, 2), (3, 3)):
            calls = kind.read_many_calls(names, present, 1200)
            assert 1 <= calls <= 3 + present, (kind.kind, names, present, calls)
