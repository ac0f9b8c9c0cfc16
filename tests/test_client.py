"""client.py: credentials parsing (pure) and the AdminClient through the real SDK to the emulator."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import urllib3.exceptions

from cloudinary_state.client import AdminClient, Credentials, CredentialsError, map_sdk_error
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.errors import NotFoundError, PermanentApiError, RetryableApiError

SECRET = "s3cr3t-value-never-shown"


# --- Credentials -------------------------------------------------------------------------------


def test_from_url_reads_every_part() -> None:
    creds = Credentials.from_url("cloudinary://123:abc@My-Cloud?upload_prefix=http://127.0.0.1:9/")
    assert creds == Credentials("My-Cloud", "123", "abc", "http://127.0.0.1:9")


def test_from_url_without_prefix_and_with_escapes() -> None:
    creds = Credentials.from_url("cloudinary://key:se%2Fcret@cloud")
    assert (creds.api_secret, creds.upload_prefix) == ("se/cret", None)


def test_repr_masks_the_secret() -> None:
    creds = Credentials("cloud", "key", SECRET)
    assert SECRET not in repr(creds) and SECRET not in str(creds)
    assert "***" in repr(creds)


@pytest.mark.parametrize(
    "url",
    [
        f"https://key:{SECRET}@cloud",
        f"cloudinary://key{SECRET}@cloud",
        f"cloudinary://:{SECRET}@cloud",
        f"cloudinary://key:{SECRET}@",
        "cloudinary://cloud",
        "",
    ],
)
def test_bad_url_is_a_clear_error_without_the_secret(url: str) -> None:
    with pytest.raises(CredentialsError) as caught:
        Credentials.from_url(url)
    assert "cloudinary://API_KEY:API_SECRET@CLOUD_NAME" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_from_env_names_the_missing_variable() -> None:
    with pytest.raises(CredentialsError, match="CLOUDINARY_URL_STAGING is not set"):
        Credentials.from_env("CLOUDINARY_URL_STAGING", {})
    creds = Credentials.from_env("X", {"X": "cloudinary://k:s@c"})
    assert creds.cloud_name == "c"


def test_from_env_bad_value_names_the_variable() -> None:
    with pytest.raises(CredentialsError, match="environment variable X") as caught:
        Credentials.from_env("X", {"X": f"http://k:{SECRET}@c"})
    assert SECRET not in str(caught.value)


# --- error mapping (pure: the SDK's exception classes and messages) ------------------------------


@pytest.mark.parametrize(
    ("message", "status", "error_class"),
    [
        ("Error 404 - Not found", 404, NotFoundError),
        ("Error 400 - bad", 400, PermanentApiError),
        ("Error 401 - Invalid credentials", 401, PermanentApiError),
        ("Error 420 - Rate limit exceeded", 420, RetryableApiError),
        ("Error 429 - Too many", 429, RetryableApiError),
        ("Error 500 - boom", 500, RetryableApiError),
        ("Error 502 - bad gateway", 502, RetryableApiError),
        ("Error 504 - timeout", 504, RetryableApiError),
        ("Error parsing server response (503) - b'<html>'. Got - x", 503, RetryableApiError),
        ("Error parsing server response (200) - b'<html>'. Got - x", 200, PermanentApiError),
    ],
)
def test_status_mapping(message: str, status: int, error_class: type[Exception]) -> None:
    error = map_sdk_error(Exception(message), "op", SECRET)
    assert type(error) is error_class
    assert error.status == status and error.operation == "op"


def _as_the_sdk_wraps(error: Exception) -> Exception:
    """What pycloudinary raises for a urllib3 error: GeneralError raised inside its `except`."""
    import cloudinary.exceptions

    try:
        try:
            raise error
        except urllib3.exceptions.HTTPError as e:
            raise cloudinary.exceptions.GeneralError(f"Unexpected error {e}") from None
    except cloudinary.exceptions.GeneralError as wrapped:
        caught: Exception = wrapped
        return caught


def test_transport_failures_are_retryable() -> None:
    import cloudinary.exceptions

    transient = [
        cloudinary.exceptions.GeneralError("Socket Error: refused"),
        _as_the_sdk_wraps(urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out")),  # type: ignore[arg-type]
        _as_the_sdk_wraps(urllib3.exceptions.NewConnectionError(None, "refused")),  # type: ignore[arg-type]
        _as_the_sdk_wraps(urllib3.exceptions.ProtocolError("Connection aborted.")),
    ]
    for exc in transient:
        error = map_sdk_error(exc, "ping", SECRET)
        assert isinstance(error, RetryableApiError) and error.status is None, exc
    assert not map_sdk_error(Exception("Must supply api_key"), "ping", SECRET).retryable


def test_misconfigurations_are_not_retried() -> None:
    # The same request fails the same way again: retrying only burns the retry budget.
    for cause in (
        urllib3.exceptions.SSLError("certificate verify failed"),
        urllib3.exceptions.ProxyError("Unable to connect to proxy", OSError("refused")),
        urllib3.exceptions.URLSchemeUnknown("ftp"),
        urllib3.exceptions.LocationParseError("http://[::1"),
        # a subclass of urllib3's TimeoutError, like the connect failures that are retried
        urllib3.exceptions.NameResolutionError(
            "nonexistent.invalid",
            None,  # type: ignore[arg-type]
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        ),
    ):
        error = map_sdk_error(_as_the_sdk_wraps(cause), "ping", SECRET)
        assert isinstance(error, PermanentApiError), cause


def test_a_host_that_does_not_resolve_is_tried_once() -> None:
    # The real SDK with a mistyped host: `.invalid` never resolves (RFC 6761), so no server is
    # reached and no network is needed. Retried, it would spend the whole budget.
    sleep = RecordingSleep()
    url = f"cloudinary://key:{SECRET}@c1?upload_prefix=http://nonexistent.invalid"
    api = AdminClient(Credentials.from_url(url), base_delay=0.01, max_retry_seconds=2.0, seed=1, sleep=sleep)
    with pytest.raises(PermanentApiError) as caught:
        api.probe()
    assert "Failed to resolve 'nonexistent.invalid'" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert api.calls == 1 and api.retries == 0 and sleep.waits == []


def test_mapped_message_never_contains_the_secret() -> None:
    error = map_sdk_error(Exception(f"Error 400 - api_secret {SECRET} mismatch"), "op", SECRET)
    assert SECRET not in str(error)


# --- AdminClient against the emulator ------------------------------------------------------------


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    return [CloudConfig(name="c1", api_key="k1", api_secret=SECRET), CloudConfig(name="c2", api_key="k2")]


class RecordingSleep:
    """The client's sleep, remembering each wait it asked for. It really sleeps: the client
    measures its retry budget on the monotonic clock, which then runs at least as far as the
    waits add up, so their total staying within the budget is the client's promise, not luck."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def _client(
    emu: EmulatorServer,
    cloud: str = "c1",
    *,
    timeout: float = 30.0,
    base_delay: float = 0.25,
    max_retry_seconds: float = 60.0,
    sleep: RecordingSleep | None = None,
) -> AdminClient:
    return AdminClient(
        Credentials.from_url(emu.cloudinary_url(cloud)),
        timeout=timeout,
        base_delay=base_delay,
        max_retry_seconds=max_retry_seconds,
        seed=1,
        sleep=sleep or RecordingSleep(),
    )


def test_probe_counts_calls_and_reads_rate_limit(emu: EmulatorServer) -> None:
    api = _client(emu)
    assert api.rate_limit_remaining is None and api.calls == 0
    assert api.probe() == {"status": "ok"}
    assert api.call("upload_presets", max_results=500) == {"presets": []}
    assert api.calls == 2
    assert api.rate_limit_limit == 2000
    assert api.rate_limit_remaining == 1998
    assert api.rate_limit_reset_at is not None and api.rate_limit_reset_at > time.time()


def test_result_is_a_plain_dict(emu: EmulatorServer) -> None:
    assert type(_client(emu).probe()) is dict


@pytest.mark.fresh_emulator  # injects faults
def test_retries_injected_503_then_succeeds(emu: EmulatorServer) -> None:
    api = _client(emu, base_delay=0.01)
    emu.inject(kind="status", status=503, count=2)
    assert api.probe() == {"status": "ok"}
    assert api.calls == 3 and api.retries == 2
    assert [r.status for r in emu.request_log] == [503, 503, 200]


@pytest.mark.fresh_emulator  # injects faults
@pytest.mark.parametrize("status", [420, 429, 500, 502, 504])
def test_retries_every_retryable_status(emu: EmulatorServer, status: int) -> None:
    api = _client(emu, base_delay=0.01)
    emu.inject(kind="status", status=status, count=1)
    assert api.probe() == {"status": "ok"}
    assert api.calls == 2


@pytest.mark.fresh_emulator  # injects faults
def test_retries_injected_420_burst_while_budget_remains(emu: EmulatorServer) -> None:
    api = _client(emu, base_delay=0.01)
    api.probe()  # the budget is known to be far from spent
    emu.inject(kind="status", status=420, count=2)
    assert api.call("transformations", named=True) == {"transformations": []}
    assert api.calls == 4


@pytest.mark.fresh_emulator  # injects faults
def test_retries_dropped_connections(emu: EmulatorServer) -> None:
    api = _client(emu, base_delay=0.01)
    emu.inject(kind="drop", count=1)
    assert api.probe() == {"status": "ok"}
    # one counted call per HTTP attempt: the SDK's pool does not retry behind our back
    assert [r.status for r in emu.request_log] == [0, 200]
    assert api.calls == 2


@pytest.mark.fresh_emulator  # injects faults
def test_timeout_is_retryable_and_bounded(emu: EmulatorServer) -> None:
    sleep = RecordingSleep()
    api = _client(emu, timeout=0.2, base_delay=0.01, max_retry_seconds=0.05, sleep=sleep)
    emu.inject(kind="latency", latency_ms=1500, count=10)
    with pytest.raises(RetryableApiError) as caught:
        api.probe()
    # each attempt was abandoned at the timeout and retried until the budget ran out
    assert api.calls >= 1 and api.calls == len(sleep.waits) + 1 == api.retries + 1
    message = str(caught.value)
    assert f"gave up after {api.calls} attempts" in message and "timed out" in message.lower()
    assert caught.value.status is None and caught.value.operation == "ping"
    assert sum(sleep.waits) <= 0.05


@pytest.mark.fresh_emulator  # injects faults
def test_gives_up_within_the_retry_budget(emu: EmulatorServer) -> None:
    sleep = RecordingSleep()
    api = _client(emu, base_delay=0.05, max_retry_seconds=0.3, sleep=sleep)
    emu.inject(kind="status", status=503, count=1000)
    with pytest.raises(RetryableApiError) as caught:
        api.probe()
    assert caught.value.status == 503 and caught.value.operation == "ping"
    attempts = [r.status for r in emu.request_log]
    assert attempts == [503] * api.calls and api.calls == len(sleep.waits) + 1
    assert f"gave up after {api.calls} attempts" in str(caught.value)
    assert api.calls >= 3  # backoff of a 0.05 s base leaves room for retries in 0.3 s
    assert sum(sleep.waits) <= 0.3


def test_404_is_not_retried(emu: EmulatorServer) -> None:
    api = _client(emu)
    with pytest.raises(NotFoundError) as caught:
        api.call("upload_preset", "missing")
    assert caught.value.status == 404 and caught.value.operation == "upload_preset"
    assert api.calls == 1


def test_wrong_secret_is_permanent_and_never_echoed(emu: EmulatorServer) -> None:
    wrong = "wrong-secret-abcdef"
    api = AdminClient(Credentials("c1", "k1", wrong, emu.url))
    with pytest.raises(PermanentApiError) as caught:
        api.probe()
    assert caught.value.status == 401 and api.calls == 1
    assert wrong not in str(caught.value) and SECRET not in str(caught.value)
    assert wrong not in repr(api)


def test_spent_hourly_budget_gives_up_naming_the_reset() -> None:
    with EmulatorServer(
        [CloudConfig(name="c1", api_key="k", api_secret=SECRET)], port=0, rate_limit=2
    ) as emu:
        api = _client(emu, base_delay=0.01)
        api.probe()
        api.probe()
        assert api.rate_limit_remaining == 0
        with pytest.raises(RetryableApiError, match="hourly Admin API budget is exhausted and resets in"):
            api.probe()
        assert api.calls == 3  # no pointless retries before the reset


def test_two_clouds_concurrently_from_threads(emu: EmulatorServer) -> None:
    clients = {"c1": _client(emu, "c1"), "c2": _client(emu, "c2")}
    failures: list[BaseException] = []

    def work(cloud: str) -> None:
        try:
            for i in range(10):
                clients[cloud].call("create_upload_mapping", f"{cloud}-{i}", template=f"https://{cloud}/")
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(cloud,)) for cloud in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for cloud, api in clients.items():
        mappings = api.call("upload_mappings", max_results=500)["mappings"]
        assert sorted(m["folder"] for m in mappings) == sorted(f"{cloud}-{i}" for i in range(10))
        assert {m["template"] for m in mappings} == {f"https://{cloud}/"}
        assert api.calls == 11
    assert {r.cloud for r in emu.request_log} == {"c1", "c2"}


def test_spent_budget_within_the_retry_budget_waits_for_the_reset() -> None:
    cloud = CloudConfig(name="c1", api_key="k", api_secret=SECRET)
    with EmulatorServer([cloud], port=0, rate_limit=1) as emu:
        waits: list[float] = []

        def sleep_until_reset(seconds: float) -> None:
            waits.append(seconds)
            emu.reset_budget()  # the hour turned while we slept

        api = AdminClient(
            Credentials.from_url(emu.cloudinary_url("c1")),
            max_retry_seconds=7200,
            seed=1,
            sleep=sleep_until_reset,
        )
        api.probe()
        assert api.rate_limit_remaining == 0
        reset_at = api.rate_limit_reset_at
        assert reset_at is not None
        before = time.time()
        assert api.probe() == {"status": "ok"}
        after = time.time()
        [wait] = waits
        # waited for the reset (the client's jitter adds at most base_delay), once, not a backoff
        assert reset_at - after <= wait <= reset_at - before + api.base_delay
        assert wait > 3000  # the window opened with the first call: the reset is an hour away
        assert api.calls == 3
        assert [r.status for r in emu.request_log] == [200, 420, 200]


def test_a_fresh_client_meeting_a_spent_budget_reads_it_from_the_420_and_fails_at_once() -> None:
    """The 420's own headers say the budget is spent and when it resets (the SDK's error does
    not carry them): a client that made no call before does not back off for its whole retry
    budget, it says when to run again."""
    cloud = CloudConfig(name="c1", api_key="k", api_secret=SECRET)
    with EmulatorServer([cloud], port=0, rate_limit=1) as emu:
        _client(emu).probe()  # another run spent the hour
        fresh = _client(emu, base_delay=5.0)
        with pytest.raises(RetryableApiError, match=r"budget is exhausted and resets in \d+s"):
            fresh.probe()
        assert fresh.calls == 1 and fresh.retries == 0
        assert fresh.rate_limit_remaining == 0 == fresh.budget_left
        assert [r.status for r in emu.request_log] == [200, 420]


def test_already_updating_420_is_a_short_backoff_not_a_wait_for_the_reset() -> None:
    cloud = CloudConfig(name="c1", api_key="k", api_secret=SECRET)
    with EmulatorServer([cloud], port=0, rate_limit=1) as emu:
        api = _client(emu, base_delay=0.01)
        api.probe()
        assert api.rate_limit_remaining == 0  # a quota 420 would now wait for the reset
        concurrency = map_sdk_error(
            Exception("Error 420 - metadata field is already updating"),
            "update_metadata_field_datasource",
            SECRET,
        )
        assert isinstance(concurrency, RetryableApiError)
        assert 0 <= api._delay_before_retry(concurrency, 0, 0.0) <= 0.01
        quota = map_sdk_error(Exception("Error 420 - Rate limit exceeded"), "ping", SECRET)
        with pytest.raises(RetryableApiError, match="budget is exhausted"):
            api._delay_before_retry(quota, 0, 0.0)


# --- the one Upload API call (try-preset) --------------------------------------------------------

PIXEL = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + b"\0" * 8


def test_upload_is_signed_sent_once_and_not_an_admin_call(emu: EmulatorServer) -> None:
    api = _client(emu)
    asset = api.upload(("pixel.png", PIXEL), public_id="pixel", tags=["t"])
    assert (asset["public_id"], asset["width"], asset["height"], asset["tags"]) == ("pixel", 2, 3, ["t"])
    assert asset["original_filename"] == "pixel"
    assert api.calls == 0 and [r.path for r in emu.request_log] == ["image/upload"]


@pytest.mark.fresh_emulator
def test_upload_errors_are_mapped_by_their_exception_class(emu: EmulatorServer) -> None:
    api = _client(emu)
    with pytest.raises(PermanentApiError) as refused:
        api.upload(("pixel.png", PIXEL), upload_preset="ghost")
    assert (refused.value.status, str(refused.value)) == (400, "upload: Upload preset not found: ghost")
    emu.inject(kind="status", status=503, path_prefix="image/upload")
    with pytest.raises(RetryableApiError) as unavailable:
        api.upload(("pixel.png", PIXEL))
    # GeneralError stands for 500 and 503 alike: the class says "server error", not which
    assert unavailable.value.status == 500 and len(emu.request_log) == 2  # never retried
    wrong = AdminClient(Credentials("c1", "k1", "not-the-secret", emu.url))
    with pytest.raises(PermanentApiError) as unsigned:
        wrong.upload(("pixel.png", PIXEL))
    assert unsigned.value.status == 401 and "not-the-secret" not in str(unsigned.value)
