"""The emulator's HTTP layer: one threaded TCP server, with h11 for HTTP/1.1, serving any number
of emulated clouds.

Per request: path -> cloud lookup (404) -> Basic auth (401) -> hourly budget (420) -> query
and body (transport.py) -> injected faults -> route -> handler under the store lock -> persist
-> JSON answer with the rate-limit headers. Upload endpoints are signed instead of Basic-authed and are not
rate-limited (reference §3: the Upload API is not).

Rate limit: each cloud's hourly window opens at its first Admin request (whole seconds) and
lasts 3600 s; the next request after it ends opens a new one. The real service counts wall-clock
hours, but a window that starts with the traffic means a test that spends the budget never
straddles a reset. Every Admin answer carries the headers (reference §1.4); answers that name no
served cloud (a non-API path, an unknown cloud) charge no budget and show a full one.

A handler that fails unexpectedly (a bug: what the state file holds is checked at start) is
answered 500, as the live service answers its own failures, and the server keeps serving. The
traceback goes to this module's logger at `internal_error_level`: ERROR for a server of its
own (`emulator serve` shows it), lower for one embedded in a run whose terminal is the user's.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.utils
import hmac
import json
import logging
import math
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import h11

# The resource modules register their routes on import.
from cloudinary_state.emulator import (  # noqa: F401
    metadata_fields,
    metadata_rules,
    misc,
    search,
    streaming_profiles,
    transformations,
    triggers,
    upload,
    upload_mappings,
    upload_presets,
)
from cloudinary_state.emulator.addons import ADDON_NAMES
from cloudinary_state.emulator.faults import FaultInjector, FaultKind
from cloudinary_state.emulator.persistence import load_state, remove_stale_temp_files, save_state
from cloudinary_state.emulator.routing import ENTITLEMENTS, ApiError, Request, find_route
from cloudinary_state.emulator.state import CloudState
from cloudinary_state.emulator.transport import parse_body, parse_query, split_path

LOGGER = logging.getLogger(__name__)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# How long a kept-alive client connection may sit idle before its thread gives up.
IDLE_TIMEOUT_S = 30.0
# A long-running `emulator serve` keeps only the most recent requests.
REQUEST_LOG_LIMIT = 100_000
# Each cloud's Admin API budget is per hour; the window opens at the cloud's first request.
RATE_WINDOW_S = 3600


@dataclass(frozen=True)
class CloudConfig:
    """One emulated product environment (configuration, not state)."""

    name: str
    api_key: str = "emulator-key"
    api_secret: str = "emulator-secret"
    addons: frozenset[str] = frozenset()
    reserve_deleted_metadata_ids: bool = True  # as the reference says the live service does
    search_api: bool = True  # False: the Search API answers as for an account without it (search.py)
    # Entitlements (routing.ENTITLEMENTS) this cloud's plan lacks: each operation of theirs that
    # the published schemas document a 403 for answers 403.
    not_entitled: frozenset[str] = frozenset()
    # How long a datasource update keeps its metadata field busy: another one of that field's
    # datasource within that time answers 420 "already updating" (0: updates are instant).
    datasource_update_s: float = 0.0


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it. `status` 0 means the connection was dropped."""

    method: str
    cloud: str
    path: str
    status: int
    query_and_body_params: dict[str, Any]
    delay_ms: int = 0  # latency added before answering (latency_ms plus injected faults)


@dataclass
class _Budget:
    window_start: float  # epoch seconds (whole) at which this cloud's hourly window opened
    used: int = 0


@dataclass
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay_ms: int = 0


class EmulatorServer:
    """An in-process Cloudinary Admin API emulator on a loopback port.

    Use as a context manager, or call start()/stop().
    """

    def __init__(
        self,
        clouds: list[CloudConfig],
        state_file: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        rate_limit: int = 2000,
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        allow_remote: bool = False,
        clock: Callable[[], float] = time.time,
        internal_error_level: int = logging.ERROR,
    ) -> None:
        _check_clouds(clouds)
        if host not in LOOPBACK_HOSTS and not allow_remote:
            raise ValueError(f"refusing to bind non-loopback host {host!r} without allow_remote=True")
        if latency_ms < 0 or rate_limit < 0:
            raise ValueError("latency_ms and rate_limit must not be negative")
        self.host = host
        self.port = port
        self.state_file = state_file
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.fault_rate = fault_rate
        self.fault_seed = fault_seed
        self.allow_remote = allow_remote
        self.clock = clock  # epoch seconds; the rate-limit windows follow it
        self.internal_error_level = internal_error_level  # a handler's failure is logged at it
        self.store_lock = threading.RLock()
        self._clouds: dict[str, CloudState] = {
            c.name: CloudState(
                name=c.name,
                api_key=c.api_key,
                api_secret=c.api_secret,
                addons=set(c.addons),
                reserve_deleted_metadata_ids=c.reserve_deleted_metadata_ids,
                search_api=c.search_api,
                not_entitled=set(c.not_entitled),
                datasource_update_s=c.datasource_update_s,
            )
            for c in clouds
        }
        self._meta_lock = threading.Lock()  # budgets and the request log
        self._budgets: dict[str, _Budget] = {}
        self._faults = FaultInjector(fault_rate, fault_seed)
        self._log: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._unserved_state: dict[str, Any] = {}  # clouds in the state file that are not served
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        if self.state_file is not None:
            remove_stale_temp_files(self.state_file)
            self._unserved_state = load_state(self.state_file, self._clouds)
        if self.host not in LOOPBACK_HOSTS:
            print(
                f"warning: the emulator listens on {self.host}, reachable beyond this machine",
                file=sys.stderr,
            )
        httpd = _HTTPServer((self.host, self.port), _Connection)
        httpd.emulator = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- public API ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def cloudinary_url(self, cloud: str) -> str:
        c = self.state(cloud)
        return f"cloudinary://{c.api_key}:{c.api_secret}@{c.name}?upload_prefix={self.url}"

    def state(self, cloud: str) -> CloudState:
        try:
            return self._clouds[cloud]
        except KeyError:
            raise KeyError(f"the emulator does not serve cloud {cloud!r}") from None

    @property
    def clouds(self) -> list[str]:
        return list(self._clouds)

    @property
    def request_log(self) -> list[RequestRecord]:
        with self._meta_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._meta_lock:
            self._log.clear()

    def inject(
        self,
        kind: FaultKind = "status",
        status: int = 503,
        count: int = 1,
        path_prefix: str | None = None,
        latency_ms: int = 0,
    ) -> None:
        """Queue a fault for the next `count` matching requests (FIFO across calls).

        kind: "status" answers `status` with an error body; "drop" closes the connection
        before the handler runs (nothing changes); "drop_after" runs the handler, then closes
        the connection mid-response (the change happened, the client never hears of it);
        "latency" delays the answer by `latency_ms`. `path_prefix` matches the path below
        `/v1_1/<cloud>/` (e.g. "upload_presets").
        """
        self._faults.inject(kind, status, count, path_prefix, latency_ms)

    def reset_budget(self, cloud: str | None = None) -> None:
        with self._meta_lock:
            if cloud is None:
                self._budgets.clear()
            else:
                self._budgets.pop(cloud, None)

    def persist(self) -> None:
        """Write the state file now (it is also written after each mutating request)."""
        if self.state_file is not None:
            with self.store_lock:
                save_state(self.state_file, self._clouds, self._unserved_state)

    # --- request processing ----------------------------------------------------------------

    def _rate_headers(self, cloud: str, count: bool) -> tuple[dict[str, str], bool]:
        """-> (headers, allowed). Counts the call against the window's budget when `count`."""
        now = float(math.floor(self.clock()))
        with self._meta_lock:
            budget = self._budgets.get(cloud)
            if budget is None or now >= budget.window_start + RATE_WINDOW_S:
                budget = self._budgets[cloud] = _Budget(window_start=now)
            allowed = budget.used < self.rate_limit
            if count and allowed:
                budget.used += 1
            remaining = max(self.rate_limit - budget.used, 0)
            window_end = budget.window_start + RATE_WINDOW_S
        return self._rate_header_values(remaining, window_end), allowed

    def _uncounted_rate_headers(self) -> dict[str, str]:
        """For an answer that names no served cloud: no budget to charge, a full one shown."""
        return self._rate_header_values(self.rate_limit, math.floor(self.clock()) + RATE_WINDOW_S)

    def _rate_header_values(self, remaining: int, window_end: float) -> dict[str, str]:
        return {
            "X-FeatureRateLimit-Limit": str(self.rate_limit),
            "X-FeatureRateLimit-Remaining": str(remaining),
            "X-FeatureRateLimit-Reset": email.utils.formatdate(window_end, usegmt=True),
        }

    def process(self, method: str, raw_url: str, headers: dict[str, str], body: bytes) -> _Answer:
        """Answer one HTTP request (any thread) and record it in the request log."""
        if raw_url.startswith("//"):  # a path, not a network location (`//v1_1/...`)
            raw_url = "/" + raw_url.lstrip("/")
        split = urlsplit(raw_url)
        request = Request(method=method, cloud="", path=split.path, params={}, received_at=self.clock())
        try:
            request.cloud, request.path = split_path(split.path)
        except ApiError as e:
            unserved = {**self._uncounted_rate_headers(), "X-Request-Id": uuid.uuid4().hex}
            return _Answer(e.status, _error(e.message), unserved)
        answer = self._answer(request, headers, split.query, body)
        status = 0 if answer.drop else answer.status
        record = RequestRecord(
            method, request.cloud, request.path, status, dict(request.params), answer.delay_ms
        )
        with self._meta_lock:
            self._log.append(record)
        return answer

    def _answer(self, request: Request, headers: dict[str, str], query: str, body: bytes) -> _Answer:
        cloud = self._clouds.get(request.cloud)
        request_id = uuid.uuid4().hex
        if cloud is None:
            unknown = {**self._uncounted_rate_headers(), "X-Request-Id": request_id}
            return _Answer(404, _error(f"Unknown cloud name {request.cloud}"), unknown)
        if upload.is_upload_path(request.path):  # signed per request instead, and not rate-limited
            extra = {"X-Request-Id": request_id}
        else:
            if not _authorized(cloud, headers.get("authorization", "")):
                rate, _ = self._rate_headers(cloud.name, count=False)
                return _Answer(401, _error("Invalid credentials"), {**rate, "X-Request-Id": request_id})
            rate, allowed = self._rate_headers(cloud.name, count=True)
            extra = {**rate, "X-Request-Id": request_id}
            if not allowed:
                return _Answer(420, _error("Rate limit exceeded"), extra)
        try:
            request.params = parse_query(query)
            parsed = parse_body(headers.get("content-type", ""), body)
            body_params, request.body, request.files, request.filenames = parsed
            request.params.update(body_params)
        except ApiError as e:
            return _Answer(e.status, _error(e.message), extra)

        decision = self._faults.decide(request.path)
        delay_ms = self.latency_ms + round(decision.extra_latency_s * 1000)
        if delay_ms:
            time.sleep(delay_ms / 1000)
        if decision.drop_before:
            return _Answer(200, {}, extra, drop=True, delay_ms=delay_ms)
        if decision.status is not None:
            message = "Rate limit exceeded" if decision.status == 420 else "Injected server error"
            return _Answer(decision.status, _error(message), extra, delay_ms=delay_ms)

        status, payload = self._dispatch(cloud, request)
        if status >= 400 and upload.is_upload_path(request.path):
            extra["X-Cld-Error"] = payload["error"]["message"]  # documented for the Upload API
        return _Answer(status, payload, extra, drop=decision.drop_after, delay_ms=delay_ms)

    def _dispatch(self, cloud: CloudState, request: Request) -> tuple[int, Any]:
        found = find_route(request.method, request.path)
        if found is None:
            return 404, _error(f"Unknown endpoint {request.method} {request.path}")
        route, groups = found
        gate = route.entitlement
        if gate is not None and gate in cloud.not_entitled:  # [S] 403; the message text is [?]
            return 403, _error(f"Your plan does not include {gate.replace('_', ' ')}")
        with self.store_lock:
            try:
                status, payload = route.handler(cloud, request, **groups)
            except ApiError as e:
                return e.status, _error(e.message)
            except Exception as e:  # a bug in a handler: answer like the service would, keep serving
                LOGGER.log(
                    self.internal_error_level,
                    "emulator: %s %s of cloud %s failed, answered 500",
                    request.method,
                    request.path,
                    cloud.name,
                    exc_info=True,
                )
                return 500, _error(f"Internal emulator error: {type(e).__name__}: {e}")
            if request.method != "GET" and status < 400 and self.state_file is not None:
                save_state(self.state_file, self._clouds, self._unserved_state)
        return status, payload


def _check_clouds(clouds: list[CloudConfig]) -> None:
    if not clouds:
        raise ValueError("EmulatorServer needs at least one CloudConfig")
    names = [c.name for c in clouds]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate cloud names: {names}")
    unknown_addons = sorted({a for c in clouds for a in c.addons} - ADDON_NAMES.keys())
    if unknown_addons:
        raise ValueError(f"unknown add-ons {unknown_addons}; known: {', '.join(sorted(ADDON_NAMES))}")
    unknown_entitlements = sorted({e for c in clouds for e in c.not_entitled} - set(ENTITLEMENTS))
    if unknown_entitlements:
        raise ValueError(f"unknown entitlements {unknown_entitlements}; known: {', '.join(ENTITLEMENTS)}")
    if any(c.datasource_update_s < 0 for c in clouds):
        raise ValueError("datasource_update_s must not be negative")


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message}}


def _authorized(cloud: CloudState, header: str) -> bool:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    key, sep, secret = decoded.partition(":")
    return (
        bool(sep)
        and hmac.compare_digest(key, cloud.api_key)
        and hmac.compare_digest(secret, cloud.api_secret)
    )


# The methods the Admin and Upload APIs use; anything else is answered 501 and not logged.
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_RECV_BYTES = 1 << 16


class _HTTPServer(socketserver.ThreadingTCPServer):
    """A thread per client connection; h11 (see `_Connection`) speaks HTTP/1.1 on each."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 makes parallel clients wait a SYN retry (~1 s).
    request_queue_size = 128
    emulator: EmulatorServer

    def __init__(self, address: tuple[str, int], handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(address, handler)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-answer (its timeout, or a dropped connection) is normal
        # for an HTTP server, not an error worth a traceback on stderr; anything else is.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        # logged as a handler's failure is, never printed (socketserver's default)
        LOGGER.log(self.emulator.internal_error_level, "emulator: a connection failed", exc_info=True)

    def close_connections(self) -> None:
        """Cut kept-alive client connections, so no request reaches a stopped emulator."""
        with self.connections_lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Connection(socketserver.BaseRequestHandler):
    """One client connection. h11 does the HTTP/1.1 framing (Content-Length and chunked bodies
    with extensions and trailers, `Expect: 100-continue`, keep-alive, pipelining); this loop
    reads each request whole, has the emulator answer it, and answers in order.

    A request whose body ends early (the client hung up or went quiet mid-body) is never
    handed to the emulator: h11 reports it as a protocol error, and the connection closes.
    """

    server: _HTTPServer
    request: socket.socket

    def setup(self) -> None:
        self.request.settimeout(IDLE_TIMEOUT_S)
        # No Nagle: an answer goes out in one write, and must not wait for the client's delayed ACK.
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._peer_gone = False
        with self.server.connections_lock:
            self.server.connections.add(self.request)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.request)

    def handle(self) -> None:
        conn = h11.Connection(h11.SERVER)
        with contextlib.suppress(OSError):  # the client hung up: nothing left to answer
            while True:
                try:
                    received = self._read_request(conn)
                except h11.RemoteProtocolError as e:
                    self._refuse(conn, e)
                    return
                if received is None or not self._answer(conn, *received):
                    return
                conn.start_next_cycle()

    def _next_event(self, conn: h11.Connection) -> Any:
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                data = self.request.recv(_RECV_BYTES)
            except TimeoutError:
                data = b""  # idle (or stalled mid-body) too long: as if the client hung up
            if not data:
                self._peer_gone = True
            conn.receive_data(data)

    def _read_request(self, conn: h11.Connection) -> tuple[h11.Request, bytes] | None:
        """-> the next request and its whole body, or None once the client closed between requests."""
        event = self._next_event(conn)
        if isinstance(event, h11.ConnectionClosed):
            return None
        assert isinstance(event, h11.Request), event
        if conn.they_are_waiting_for_100_continue:  # at once, before the body (RFC 9110 §10.1.1)
            self.request.sendall(conn.send(h11.InformationalResponse(status_code=100, headers=[])) or b"")
        body = bytearray()
        while True:
            part = self._next_event(conn)
            if isinstance(part, h11.Data):
                body += part.data
            elif isinstance(part, h11.EndOfMessage):  # trailers (part.headers) carry nothing we use
                return event, bytes(body)
            else:  # h11 raises on a body cut short; nothing else can come mid-message
                raise h11.RemoteProtocolError(f"unexpected {type(part).__name__} in a request body", 400)

    def _answer(self, conn: h11.Connection, request: h11.Request, body: bytes) -> bool:
        """Answer one request; -> whether the connection stays open for the next."""
        method = request.method.decode("ascii", errors="replace")
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers}
        if method in _METHODS:
            target = request.target.decode("latin-1")
            answer = self.server.emulator.process(method, target, headers, body)
        else:
            answer = _Answer(501, _error(f"Unsupported method {method}"))
        data = json.dumps(answer.body).encode("utf-8")
        # A dropped answer promises more bytes than it sends, then closes: an incomplete response.
        length = len(data) + 64 if answer.drop else len(data)
        out = self._head(conn, answer.status, answer.headers, length)
        if request.method == b"HEAD":
            data = b""
        elif answer.drop:
            data = data[: len(data) // 2]
        if data:
            out += conn.send(h11.Data(data=data)) or b""
        if not answer.drop:
            out += conn.send(h11.EndOfMessage()) or b""
        self.request.sendall(out)
        return not answer.drop and conn.our_state is h11.DONE and conn.their_state is h11.DONE

    def _refuse(self, conn: h11.Connection, error: h11.RemoteProtocolError) -> None:
        """A request h11 cannot frame: answer 4xx and close, unless the client is gone (a body cut
        short). Either way the request never reaches the emulator, and nothing is logged."""
        if self._peer_gone or conn.our_state not in {h11.IDLE, h11.SEND_RESPONSE}:
            return
        data = json.dumps(_error(f"Malformed HTTP request: {error}")).encode("utf-8")
        out = self._head(conn, error.error_status_hint, {"Connection": "close"}, len(data))
        out += (conn.send(h11.Data(data=data)) or b"") + (conn.send(h11.EndOfMessage()) or b"")
        self.request.sendall(out)

    @staticmethod
    def _head(conn: h11.Connection, status: int, headers: dict[str, str], length: int) -> bytes:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:  # 420, Cloudinary's rate-limit status, has no standard phrase
            reason = ""
        response = h11.Response(
            status_code=status,
            reason=reason,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                ("Date", email.utils.formatdate(usegmt=True)),
                *headers.items(),
                ("Content-Length", str(length)),
            ],
        )
        return conn.send(response) or b""
