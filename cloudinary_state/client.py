"""The Admin API client: the only module that imports `cloudinary`, and only once a client is built.

Importing this module costs nothing of the SDK: pycloudinary is imported when the first
`AdminClient` is made, so offline commands never load it (nor parse the shell's CLOUDINARY_URL,
which pycloudinary does at import). The SDK's process-wide state is never changed: credentials
and timeouts go with every call, and each client sends through its own connection pool (see
`_AdminFunctions`), so the library can run inside a program that uses pycloudinary itself, and
two environments can be read and written concurrently from one process. The client adds what the
SDK lacks: a timeout on every call, error mapping into `errors.RetryableApiError` /
`errors.PermanentApiError`, retries with exponential backoff and full jitter inside a bounded
time budget, rate-limit accounting, and call counting. It decides nothing else.

It also makes the one Upload API call `try-preset` needs (`AdminClient.upload`, through the
same pool, never retried), which is the Upload API's and not counted among the Admin API calls.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FunctionType, ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

from cloudinary_state.errors import (
    ApiError,
    CloudinaryStateError,
    NotFoundError,
    PermanentApiError,
    RetryableApiError,
)
from cloudinary_state.limits import MAX_PARALLELISM

RETRYABLE_STATUSES = frozenset({420, 429, 500, 502, 503, 504})
# The SDK only reveals the HTTP status inside the message: "Error <status> - <message>".
_STATUS_IN_MESSAGE = re.compile(r"^Error (\d{3}) - ")
_UNPARSABLE_RESPONSE = re.compile(r"^Error parsing server response \((\d{3})\)")
# A 420 that is a concurrency error, not the hourly quota (metadata datasource updates).
_ALREADY_UPDATING = "already updating"
_MAX_SINGLE_DELAY = 10.0


# -- the SDK, imported on first use ----------------------------------------------------------------

_SDK_IMPORT = threading.Lock()


def _sdk() -> ModuleType:
    """The `cloudinary` package with the modules this client uses, imported on first use."""
    with _SDK_IMPORT, _sdk_url_hidden_if_malformed(os.environ):
        try:
            import cloudinary
            import cloudinary.api
            import cloudinary.api_client.call_api
            import cloudinary.exceptions
            import cloudinary.uploader
            import cloudinary.utils
        except Exception as e:  # its config, read from the environment at import, is all it reads
            raise CloudinaryStateError(
                f"the cloudinary SDK failed to load ({type(e).__name__}): it reads CLOUDINARY_URL, "
                "or the CLOUDINARY_* variables when CLOUDINARY_CLOUD_NAME is set, as it loads; "
                "check or unset them"
            ) from None
    package: ModuleType = cloudinary  # untyped: mypy sees Any
    return package


def _sdk_rejects_url(environ: Mapping[str, str]) -> bool:
    """Whether importing pycloudinary would raise on the shell's CLOUDINARY_URL.

    pycloudinary builds its global config at import: from the CLOUDINARY_* variables when
    CLOUDINARY_CLOUD_NAME is set, else from CLOUDINARY_URL, raising ValueError when that does
    not parse as a cloudinary:// URL. This mirrors that test.
    """
    url = environ.get("CLOUDINARY_URL")
    if environ.get("CLOUDINARY_CLOUD_NAME") or not url:
        return False
    try:
        return urlparse(url).scheme.lower() != "cloudinary"
    except ValueError:
        return True


@contextmanager
def _sdk_url_hidden_if_malformed(environ: Any) -> Iterator[None]:
    """Hide a CLOUDINARY_URL that pycloudinary would reject while it is first imported.

    The environment may name another variable for its credentials, and this library never reads
    the SDK's global config, yet the SDK's import would fail on a malformed CLOUDINARY_URL. Only
    a value that import would reject is hidden, only during the first import (once the SDK is
    loaded nothing reads the variable again), and it is put back at once: the SDK's config then
    starts empty, where the import would otherwise have raised. Credentials for our calls come
    from `Credentials` alone, which reports a malformed variable by name.
    """
    if "cloudinary" in sys.modules or not _sdk_rejects_url(environ):
        yield
        return
    saved = environ.pop("CLOUDINARY_URL")
    try:
        yield
    finally:
        environ["CLOUDINARY_URL"] = saved


class _AdminFunctions:
    """pycloudinary's Admin API functions (`cloudinary.api`), sending through a pool of our own.

    The SDK has no per-call connection hook: every `cloudinary.api` function ends in
    `cloudinary.api_client.call_api._call_api`, which hands the module-global pool `_http` to
    `execute_request`. Replacing that global (as this module once did) would change the pool of
    every other SDK user in the process. Instead, the functions of both modules are re-created
    from their own code objects over private copies of the modules' namespaces, in which `_http`
    is this client's pool and the api functions call the re-created transport functions. The
    SDK's code runs as written, its modules are never written to, and clients in concurrent
    threads each send through their own pool.
    """

    def __init__(self, pool: Any) -> None:
        sdk = _sdk()
        call_api = sdk.api_client.call_api
        if "_http" not in vars(call_api) or "_http" not in call_api._call_api.__code__.co_names:
            raise CloudinaryStateError(
                f"pycloudinary {sdk.VERSION} no longer sends Admin API calls through "
                "cloudinary.api_client.call_api._http, which this client relies on to use its own "
                "connections: install a cloudinary release this version of cloudinary-state supports"
            )
        transport = _rebound(call_api, {"_http": pool})
        transport_names = {
            name: transport[value.__name__]
            for name, value in vars(sdk.api).items()
            if _defined_in(value, call_api)
        }
        self._namespace = _rebound(sdk.api, transport_names)
        # `cloudinary.api` re-exports the generic transport (`call_api`, `call_json_api`), which
        # a kind without a dedicated SDK function calls: rebound above, so it is offered too
        self._modules = (sdk.api, call_api)

    def get(self, name: str) -> Callable[..., Any] | None:
        """The public function `cloudinary.api.<name>`, bound to this pool; None if there is none."""
        function = self._namespace.get(name)
        if name.startswith("_") or not any(_defined_in(function, m) for m in self._modules):
            return None
        return function


class _UploadFunction:
    """pycloudinary's `cloudinary.uploader.upload`, sending through a pool of our own.

    The uploader keeps its own module-global pool (`cloudinary.uploader._http`), read by its
    `call_api`; its functions are re-created over a private copy of its namespace, as
    `_AdminFunctions` does for the Admin API, so the SDK's process-wide state stays untouched.
    """

    def __init__(self, pool: Any) -> None:
        sdk = _sdk()
        uploader = sdk.uploader
        if "_http" not in vars(uploader) or "_http" not in uploader.call_api.__code__.co_names:
            raise CloudinaryStateError(
                f"pycloudinary {sdk.VERSION} no longer sends uploads through cloudinary.uploader._http, "
                "which this client relies on to use its own connections: install a cloudinary release "
                "this version of cloudinary-state supports"
            )
        self.upload: Callable[..., Any] = _rebound(uploader, {"_http": pool})["upload"]


def _defined_in(value: object, module: ModuleType) -> bool:
    return isinstance(value, FunctionType) and value.__module__ == module.__name__


def _rebound(module: ModuleType, overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of the module's namespace with `overrides`, in which every function the module
    defines is re-created so that the globals it reads (other functions, `_http`) are the copy's."""
    namespace = {**vars(module), **overrides}
    for name, value in vars(module).items():
        if name not in overrides and _defined_in(value, module):
            copy = FunctionType(
                value.__code__, namespace, value.__name__, value.__defaults__, value.__closure__
            )
            copy.__kwdefaults__ = value.__kwdefaults__
            namespace[name] = copy
    return namespace


def _connection_pool() -> Any:
    """A pool made as the SDK makes its own (its proxy, keep-alive and certificate settings), but
    making exactly one HTTP attempt per call and keeping one connection per parallel worker.

    The SDK's pool silently retries failed connections (POSTs included) up to three times: those
    attempts would be invisible to call counting and stack on top of this module's own retry
    budget. And it keeps one connection per host, so parallel reads and writes would reopen a
    connection for almost every call.
    """
    sdk = _sdk()
    options = {**sdk.CERT_KWARGS, "retries": False, "maxsize": MAX_PARALLELISM}
    return sdk.utils.get_http_connector(sdk.config(), options)


class _BudgetWatch:
    """The connection pool as the SDK's Admin API transport sees it, each answer's headers
    handed to `record` before the SDK reads the body (and turns an error status into an
    exception that carries no headers)."""

    def __init__(self, pool: Any, record: Callable[[Mapping[str, str]], None]) -> None:
        self.pool = pool  # unwatched: the Upload API's calls are not the Admin API's budget
        self._record = record

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = self.pool.request(*args, **kwargs)
        self._record(response.headers)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers.get(name) or "")
    except ValueError:
        return None


class CredentialsError(CloudinaryStateError):
    """A missing or malformed credentials variable (the one the environment names, CLOUDINARY_URL
    or another). The message names the variable and never contains the secret."""


@dataclass(frozen=True)
class Credentials:
    cloud_name: str
    api_key: str
    api_secret: str = field(repr=False)
    upload_prefix: str | None = None
    # where the URL came from ("environment variable CLOUDINARY_URL_STAGING"), for the fix of
    # an error the account answers about the key and secret; not part of the identity
    source: str = field(default="", compare=False, repr=False)

    def __repr__(self) -> str:
        prefix = f", upload_prefix={self.upload_prefix!r}" if self.upload_prefix else ""
        return (
            f"Credentials(cloud_name={self.cloud_name!r}, api_key={self.api_key!r}, api_secret='***'{prefix})"
        )

    @classmethod
    def from_url(cls, url: str, *, source: str = "CLOUDINARY_URL") -> Credentials:
        """Parse `cloudinary://KEY:SECRET@CLOUD[?upload_prefix=...]`.

        `source` names where the URL came from, for the error message.
        """
        problem = f"{source} must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME"
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            raise CredentialsError(f"{problem} (it could not be parsed)") from None
        if parts.scheme != "cloudinary":
            raise CredentialsError(f"{problem} (the scheme is not cloudinary://)")
        # netloc keeps the cloud name's case (hostname would lower-case it)
        userinfo, at, cloud_name = parts.netloc.rpartition("@")
        api_key, colon, api_secret = userinfo.partition(":")
        if not at or not colon or not api_key or not api_secret or not cloud_name:
            raise CredentialsError(f"{problem} (API key, API secret or cloud name is missing)")
        query = parse_qs(parts.query)
        upload_prefix = query.get("upload_prefix", [None])[0]
        return cls(
            cloud_name=unquote(cloud_name),
            api_key=unquote(api_key),
            api_secret=unquote(api_secret),
            upload_prefix=upload_prefix.rstrip("/") if upload_prefix else None,
            source=source,
        )

    @classmethod
    def from_env(cls, var_name: str, environ: Mapping[str, str]) -> Credentials:
        value = environ.get(var_name, "")
        if not value.strip():
            raise CredentialsError(
                f"environment variable {var_name} is not set: it must hold the environment's "
                "cloudinary://API_KEY:API_SECRET@CLOUD_NAME URL (or pass --emulator to run against "
                "the embedded emulator, which needs no credentials)"
            )
        return cls.from_url(value, source=f"environment variable {var_name}")


def _status_of(exc: Exception) -> int | None:
    text = str(exc)
    match = _STATUS_IN_MESSAGE.match(text) or _UNPARSABLE_RESPONSE.match(text)
    return int(match.group(1)) if match else None


def _is_transport_failure(exc: Exception) -> bool:
    """A failure to reach the server that another attempt may get past.

    The SDK wraps every urllib3 error in GeneralError("Unexpected error ...") raised inside its
    `except`, so the urllib3 error is the context. Only timeouts (a refused connection is a
    connect failure, a subclass of urllib3's TimeoutError) and dropped connections
    (ProtocolError) are retried: a host that does not resolve (a mistyped upload_prefix;
    urllib3 files NameResolutionError under TimeoutError too), an SSL failure, a proxy that
    cannot be reached or an upload_prefix urllib3 cannot parse fails the same way every time,
    and retrying it would only burn the retry budget on a misconfiguration.
    """
    import urllib3.exceptions  # loaded with the SDK, which raised `exc`

    if not isinstance(exc, _sdk().exceptions.GeneralError):
        return False
    text = str(exc)
    if text.startswith("Socket Error"):
        return True
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, urllib3.exceptions.MaxRetryError):  # only with a retrying pool
        cause = cause.reason
    if isinstance(cause, urllib3.exceptions.NameResolutionError):
        return False
    transient = (urllib3.exceptions.TimeoutError, urllib3.exceptions.ProtocolError)
    return text.startswith("Unexpected error") and isinstance(cause, transient)


def map_sdk_error(exc: Exception, operation: str, secret: str) -> ApiError:
    """Turn an SDK exception into our error tree; the secret is scrubbed from the message."""
    # Real secrets are long; scrubbing a one-letter test secret would only garble the text.
    message = str(exc).replace(secret, "***") if len(secret) >= 4 else str(exc)
    status = _status_of(exc)
    if status == 404:
        return NotFoundError(message, status=status, operation=operation)
    if status in RETRYABLE_STATUSES or (status is None and _is_transport_failure(exc)):
        return RetryableApiError(message, status=status, operation=operation)
    return PermanentApiError(message, status=status, operation=operation)


def map_upload_error(exc: Exception, secret: str) -> ApiError:
    """An Upload API failure in our error tree. The uploader raises the exception class of the
    HTTP status with the server's bare message (no "Error <status> - " prefix, unlike the
    Admin API), so the status comes from the class."""
    message = str(exc).replace(secret, "***") if len(secret) >= 4 else str(exc)
    codes = _sdk().api_client.execute_request.EXCEPTION_CODES
    status = next((code for code, cls in codes.items() if type(exc) is cls), None)
    if status == 404:
        return NotFoundError(message, status=status, operation="upload")
    if status in RETRYABLE_STATUSES or (status is None and _is_transport_failure(exc)):
        return RetryableApiError(message, status=status, operation="upload")
    return PermanentApiError(message, status=status, operation="upload")


def _reset_epoch(header: str) -> float | None:
    """The `X-FeatureRateLimit-Reset` header (an HTTP date, GMT) in epoch seconds."""
    # imported here, once answers arrive: email.utils alone costs more than the rest of this
    # module's imports together, and a client that never hears a rate limit never needs it
    import calendar
    import email.utils

    parsed = email.utils.parsedate(header)
    if not parsed:
        return None
    try:
        return float(calendar.timegm((*tuple(parsed)[:6], 0, 0, 0)))
    except (TypeError, ValueError, OverflowError):
        return None


class AdminClient:
    """Implements `kinds.base.AdminApi` for one environment's credentials."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float = 30.0,
        max_retry_seconds: float = 60.0,
        base_delay: float = 0.25,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import random  # here, not at import: see `_reset_epoch`

        self.credentials = credentials
        self.timeout = timeout
        self.max_retry_seconds = max_retry_seconds
        self.base_delay = base_delay
        self._sleep = sleep
        self._random = random.Random(seed)
        # every answer is read for its rate-limit headers as it arrives, an error's too
        self._pool = _BudgetWatch(_connection_pool(), self._record)
        self._functions = _AdminFunctions(self._pool)
        self._upload: _UploadFunction | None = None  # made on the first upload (try-preset's alone)
        self._lock = threading.Lock()
        self._calls = 0
        self._retries = 0
        self._rate_limit_remaining: int | None = None
        self._rate_limit_limit: int | None = None
        self._rate_limit_reset_at: float | None = None  # epoch seconds
        # The lowest Remaining seen in the current hourly window (the one ending at
        # _window_reset_at): concurrent answers arrive out of order, so the last one recorded
        # may be older than the one that spent the budget. Only this decides "quota spent".
        self._window_reset_at: float | None = None
        self._window_lowest: int | None = None

    def __repr__(self) -> str:
        return f"AdminClient({self.credentials!r})"

    def close(self) -> None:
        """Close this client's kept-alive connections (a dropped client's close when collected)."""
        self._pool.clear()

    # -- counters (read under the lock: other threads are calling) --------------------------

    @property
    def calls(self) -> int:
        """Every HTTP attempt made, retries included."""
        with self._lock:
            return self._calls

    @property
    def retries(self) -> int:
        with self._lock:
            return self._retries

    @property
    def rate_limit_remaining(self) -> int | None:
        """The last `X-FeatureRateLimit-Remaining` seen, None if no response carried it."""
        with self._lock:
            return self._rate_limit_remaining

    @property
    def budget_left(self) -> int | None:
        """The hourly budget left, as far as the answers tell: the lowest Remaining of the
        current window (concurrent answers arrive out of order, so the last one may be older
        than the one that spent the budget), the full limit once that window has reset; None
        when no answer carried the headers."""
        with self._lock:
            window, lowest = self._window_reset_at, self._window_lowest
            if window is None or lowest is None:
                return self._rate_limit_remaining
            return lowest if time.time() < window else self._rate_limit_limit

    @property
    def rate_limit_limit(self) -> int | None:
        with self._lock:
            return self._rate_limit_limit

    @property
    def rate_limit_reset_at(self) -> float | None:
        with self._lock:
            return self._rate_limit_reset_at

    # -- calls --------------------------------------------------------------------------------

    def _sdk_options(self) -> dict[str, Any]:
        creds = self.credentials
        return {
            "cloud_name": creds.cloud_name,
            "api_key": creds.api_key,
            "api_secret": creds.api_secret,
            "oauth_token": None,  # never pick up a token from the SDK's global config
            "upload_prefix": creds.upload_prefix,
            "timeout": self.timeout,
        }

    def _record(self, headers: Mapping[str, str]) -> None:
        """The hourly budget as an Admin answer's headers tell it (reference §1.4: every
        answer carries them, a 420 too, which the SDK's error would not show)."""
        remaining = _header_int(headers, "x-featureratelimit-remaining")
        limit = _header_int(headers, "x-featureratelimit-limit")
        reset_at = _reset_epoch(headers.get("x-featureratelimit-reset") or "")
        with self._lock:
            if remaining is not None:
                self._rate_limit_remaining = remaining
            if limit is not None:
                self._rate_limit_limit = limit
            if reset_at is not None:
                self._rate_limit_reset_at = reset_at
            if remaining is None or reset_at is None:
                return
            window = self._window_reset_at
            if window is None or reset_at > window or time.time() >= window:  # a new window
                self._window_reset_at, self._window_lowest = reset_at, remaining
            elif reset_at == window and self._window_lowest is not None:
                self._window_lowest = min(self._window_lowest, remaining)
            # else: a late answer from an earlier window says nothing about this one

    def _attempt(self, function: Callable[..., Any], args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        with self._lock:
            self._calls += 1
        return function(*args, **params, **self._sdk_options())

    def call(
        self,
        function: str,
        /,
        *args: Any,
        already_done: Callable[[], bool] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """`cloudinary.api.<function>(*args, **params)`, retried on retryable failures.

        `already_done`, for a write the server does not refuse when repeated (a create whose
        objects have no unique name), is asked before each retry whether the failed attempt
        took effect after all (its answer was lost): then the call ends, answering {}.
        """
        sdk_function = self._functions.get(function)
        if sdk_function is None:
            raise ValueError(f"cloudinary.api has no function {function!r}")
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                response = self._attempt(sdk_function, args, params)
            except Exception as exc:
                error = map_sdk_error(exc, function, self.credentials.api_secret)
                if not error.retryable:
                    raise self._with_fix(error) from None
                if already_done is not None and already_done():
                    return {}
                delay = self._delay_before_retry(error, attempt, time.monotonic() - started)
                attempt += 1
                with self._lock:
                    self._retries += 1
                self._sleep(delay)
                continue
            return dict(response)

    def _with_fix(self, error: ApiError) -> ApiError:
        """A 401 is the account refusing the key and secret: say where they came from, so the
        message names what to fix (never the secret itself)."""
        if error.status != 401:
            return error
        where = f" in {self.credentials.source}" if self.credentials.source else ""
        return type(error)(
            f"{_strip_operation(error)}: cloud {self.credentials.cloud_name!r} does not accept the "
            f"API key and secret{where}; check them (the console's API Keys page lists the cloud's keys)",
            status=error.status,
            operation=error.operation,
        )

    def _delay_before_retry(self, error: ApiError, attempt: int, elapsed: float) -> float:
        """How long to wait before the next attempt; raises when the budget does not allow one."""
        budget_left = self.max_retry_seconds - elapsed
        # A 420 is the hourly quota only when an answer of this window said the budget was
        # spent; other 420s (a burst, "metadata field is already updating") are worth a short
        # backoff.
        with self._lock:
            remaining, reset_at = self._window_lowest, self._window_reset_at
        if remaining is None:  # answers without a reset time: the last one is all there is
            remaining, reset_at = self.rate_limit_remaining, self.rate_limit_reset_at
        is_quota = (
            error.status == 420
            and _ALREADY_UPDATING not in str(error).lower()
            and remaining is not None
            and remaining <= 0
        )
        if is_quota and reset_at is not None and reset_at > time.time():
            # The hourly budget is spent: waiting less than the reset time cannot succeed.
            wait = reset_at - time.time() + self._random.uniform(0, self.base_delay)
            if wait > budget_left:
                raise RetryableApiError(
                    f"the hourly Admin API budget is exhausted and resets in {wait:.0f}s, beyond the "
                    f"{self.max_retry_seconds:.0f}s retry budget; run again after the reset",
                    status=420,
                    operation=error.operation,
                ) from None
            return wait
        # Full jitter: a uniform wait in [0, base * 2^attempt], capped.
        wait = self._random.uniform(0, min(_MAX_SINGLE_DELAY, self.base_delay * 2**attempt))
        if wait > budget_left:
            raise type(error)(
                f"gave up after {attempt + 1} attempts in {elapsed:.1f}s: {_strip_operation(error)}",
                status=error.status,
                operation=error.operation,
            ) from None
        return wait

    def upload(self, file: tuple[str, bytes], /, **params: Any) -> dict[str, Any]:
        """`cloudinary.uploader.upload((file_name, data), **params)`: one Upload API call, signed
        with this client's credentials. Sent once, never retried: the server would store a
        repeated upload again. Not counted among the Admin API calls (the Upload API has no
        hourly budget)."""
        with self._lock:
            if self._upload is None:
                self._upload = _UploadFunction(self._pool.pool)
            upload = self._upload.upload
        try:
            response = upload(file, **params, **self._sdk_options())
        except Exception as exc:
            raise map_upload_error(exc, self.credentials.api_secret) from None
        return dict(response)

    def probe(self) -> dict[str, Any]:
        """`ping`: checks reachability and credentials with one call."""
        return self.call("ping")


def _strip_operation(error: ApiError) -> str:
    text = str(error)
    prefix = f"{error.operation}: "
    return text[len(prefix) :] if error.operation and text.startswith(prefix) else text
