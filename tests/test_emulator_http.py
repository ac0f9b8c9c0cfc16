"""The emulator speaks HTTP/1.1 as real servers do, shown with raw bytes on a socket: every
framing a client may use (Content-Length, chunked with extensions and trailers, 100-continue,
keep-alive, pipelining), and a request whose body ends early is never acted upon."""

from __future__ import annotations

import base64
import json
import secrets
import socket
import time
from collections.abc import Iterator
from typing import Any

import cloudinary.utils
import pytest
import urllib3

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "http-cloud", "http-key", "http-secret"
AUTH = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
PRESETS = f"/v1_1/{CLOUD}/upload_presets"
FORM = "application/x-www-form-urlencoded"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20" + b"\x00" * 16


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    return [CloudConfig(CLOUD, KEY, SECRET)]


class RawClient:
    """A client that writes exactly the bytes it is given and reads answers off the socket."""

    def __init__(self, emu: EmulatorServer, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((emu.host, emu.port), timeout=timeout)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def read_response(self) -> tuple[int, dict[str, str], bytes]:
        """-> (status, headers with lower-case names, body); a 1xx answer has no body."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"connection closed; received {self.buffer!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, _ = (status_line + " ").split(" ", 2)
        assert version == "HTTP/1.1", status_line
        headers = {name.strip().lower(): value.strip() for name, value in (x.split(":", 1) for x in lines)}
        if int(status) < 200:
            return int(status), headers, b""
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("connection closed mid-body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status), headers, body

    def at_eof(self) -> bool:
        """Whether the server closed the connection without sending anything more."""
        return not self.buffer and not self._fill()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def client(emu: EmulatorServer) -> Iterator[RawClient]:
    c = RawClient(emu)
    yield c
    c.close()


def head(method: str, path: str, *extra: str, content_type: str | None = FORM) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: {AUTH}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()


def with_length(method: str, path: str, body: bytes = b"", *extra: str) -> bytes:
    return head(method, path, f"Content-Length: {len(body)}", *extra) + body


def chunked(
    pieces: list[bytes], extensions: list[str] | None = None, trailers: tuple[str, ...] = ()
) -> bytes:
    """A chunked body: each piece a chunk (with its extension, if any), then the last chunk and trailers."""
    out = b""
    for i, piece in enumerate(pieces):
        ext = extensions[i] if extensions else ""
        out += f"{len(piece):x}{ext}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n" + "".join(f"{t}\r\n" for t in trailers).encode() + b"\r\n"


def answer(client: RawClient) -> tuple[int, dict[str, str], Any]:
    status, headers, body = client.read_response()
    return status, headers, json.loads(body)


def handled(emu: EmulatorServer) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in emu.request_log]


# --- every framing HTTP/1.1 allows ---------------------------------------------------------------


def test_a_content_length_body(emu: EmulatorServer, client: RawClient) -> None:
    client.send(with_length("POST", PRESETS, b"name=sized&folder=fixed"))
    status, headers, body = answer(client)
    assert (status, body["name"]) == (200, "sized")
    assert headers["content-type"].startswith("application/json") and "x-featureratelimit-limit" in headers
    assert emu.state(CLOUD).upload_presets["sized"]["settings"]["folder"] == "fixed"


def test_a_chunked_body_with_chunk_extensions_and_trailers(emu: EmulatorServer, client: RawClient) -> None:
    pieces = [b"name=chun", b"ked&folder=in-", b"chunks"]
    body = chunked(pieces, extensions=["", ";ext=1", ';name="quoted value";x'], trailers=("X-Sum: 7",))
    client.send(head("POST", PRESETS, "Transfer-Encoding: chunked", "Trailer: X-Sum"))
    for i in range(0, len(body), 7):  # in small writes: chunk lines are split across reads
        client.send(body[i : i + 7])
        time.sleep(0.002)
    status, _, answered = answer(client)
    assert (status, answered["name"]) == (200, "chunked")
    assert emu.state(CLOUD).upload_presets["chunked"]["settings"]["folder"] == "in-chunks"


def test_100_continue_comes_before_the_body_is_sent(emu: EmulatorServer, client: RawClient) -> None:
    body = b"name=expected&folder=after-100"
    client.send(head("POST", PRESETS, f"Content-Length: {len(body)}", "Expect: 100-continue"))
    # The body is held back: only a `100 Continue` sent at once lets this read return.
    status, _, interim = client.read_response()
    assert (status, interim) == (100, b"")
    assert emu.request_log == []  # nothing handled before the body came
    client.send(body)
    status, _, answered = answer(client)
    assert (status, answered["name"]) == (200, "expected")
    assert emu.state(CLOUD).upload_presets["expected"]["settings"]["folder"] == "after-100"


def test_100_continue_with_a_chunked_body(emu: EmulatorServer, client: RawClient) -> None:
    client.send(head("POST", PRESETS, "Transfer-Encoding: chunked", "Expect: 100-continue"))
    assert client.read_response()[0] == 100
    client.send(chunked([b"name=both"]))
    assert answer(client)[0] == 200
    assert "both" in emu.state(CLOUD).upload_presets


def test_keep_alive_serves_several_requests_on_one_connection(emu: EmulatorServer, client: RawClient) -> None:
    client.send(with_length("POST", PRESETS, b"name=one"))
    status, headers, _ = answer(client)
    assert status == 200 and headers.get("connection", "keep-alive") != "close"
    client.send(head("POST", PRESETS, "Transfer-Encoding: chunked") + chunked([b"name=two"]))
    assert answer(client)[0] == 200
    client.send(head("GET", PRESETS, content_type=None))
    status, _, listed = answer(client)
    assert status == 200 and [p["name"] for p in listed["presets"]] == ["one", "two"]
    client.send(head("DELETE", f"{PRESETS}/one", content_type=None))
    assert answer(client)[2]["message"] == "deleted"
    assert [m for m, _, _ in handled(emu)] == ["POST", "POST", "GET", "DELETE"]


def test_pipelined_requests_are_answered_in_order(emu: EmulatorServer, client: RawClient) -> None:
    # All four written before any answer is read, in a single write, with mixed framings.
    client.send(
        with_length("POST", PRESETS, b"name=first")
        + head("POST", PRESETS, "Transfer-Encoding: chunked")
        + chunked([b"name=sec", b"ond"], trailers=("X-Note: piped",))
        + head("GET", f"{PRESETS}/first", content_type=None)
        + head("GET", f"/v1_1/{CLOUD}/no_such_endpoint", content_type=None)
    )
    answers = [answer(client) for _ in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 404]
    assert [answers[0][2]["name"], answers[1][2]["name"], answers[2][2]["name"]] == [
        "first",
        "second",
        "first",
    ]
    assert len({h["x-request-id"] for _, h, _ in answers}) == 4
    remaining = [int(h["x-featureratelimit-remaining"]) for _, h, _ in answers]
    assert remaining == sorted(remaining, reverse=True)  # each charged in the order sent
    assert handled(emu) == [
        ("POST", "upload_presets", 200),
        ("POST", "upload_presets", 200),
        ("GET", "upload_presets/first", 200),
        ("GET", "no_such_endpoint", 404),
    ]


def test_connection_close_and_http_1_0_end_the_connection_after_the_answer(
    emu: EmulatorServer, client: RawClient
) -> None:
    client.send(head("GET", PRESETS, "Connection: close", content_type=None))
    status, headers, _ = answer(client)
    assert (status, headers["connection"]) == (200, "close") and client.at_eof()
    old = RawClient(emu)
    try:
        old.send(f"GET {PRESETS} HTTP/1.0\r\nAuthorization: {AUTH}\r\n\r\n".encode())
        assert answer(old)[0] == 200 and old.at_eof()
    finally:
        old.close()


def test_a_request_http_cannot_frame_is_a_json_400_not_handled(
    emu: EmulatorServer, client: RawClient
) -> None:
    client.send(head("POST", PRESETS, "Content-Length: many") + b"name=x")
    status, headers, body = answer(client)
    assert status == 400 and "message" in body["error"] and headers["connection"] == "close"
    assert client.at_eof()
    assert emu.request_log == [] and emu.state(CLOUD).upload_presets == {}


# --- a body that ends early is never acted upon ---------------------------------------------------


@pytest.mark.parametrize("framing", ["content-length", "chunked", "chunked-mid-chunk"])
def test_a_body_cut_short_creates_nothing_and_is_not_logged(
    emu: EmulatorServer, client: RawClient, framing: str
) -> None:
    whole = b"name=half&folder=never&tags=a%2Cb"
    if framing == "content-length":
        request = head("POST", PRESETS, f"Content-Length: {len(whole)}") + whole[:12]
    elif framing == "chunked":  # whole chunks, but never the last one
        request = head("POST", PRESETS, "Transfer-Encoding: chunked") + chunked([whole])[: -len(b"0\r\n\r\n")]
    else:  # a chunk that promises more than comes
        request = (
            head("POST", PRESETS, "Transfer-Encoding: chunked") + f"{len(whole):x}\r\n".encode() + whole[:9]
        )
    client.send(request)
    client.sock.shutdown(socket.SHUT_WR)  # the client died: its side of the connection ends here
    assert client.at_eof()  # the emulator answers nothing and closes
    assert emu.state(CLOUD).upload_presets == {}
    assert emu.request_log == []
    # and the emulator goes on serving
    with_new = RawClient(emu)
    try:
        with_new.send(with_length("POST", PRESETS, whole))
        assert answer(with_new)[2]["name"] == "half"
    finally:
        with_new.close()


# --- an upload as the Node.js SDK sends it: multipart, chunked, no Content-Length -----------------


def test_a_chunked_multipart_upload(emu: EmulatorServer, client: RawClient) -> None:
    params: dict[str, Any] = {"timestamp": int(time.time()), "public_id": "streamed", "tags": "node,chunked"}
    params["signature"] = cloudinary.utils.api_sign_request(params, SECRET)
    params["api_key"] = KEY
    boundary = "----node" + secrets.token_hex(8)
    body = b""
    for name, value in params.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="shoe.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    pieces = [body[i : i + 50] for i in range(0, len(body), 50)]
    client.send(
        head(
            "POST",
            f"/v1_1/{CLOUD}/image/upload",
            "Transfer-Encoding: chunked",
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        + chunked(pieces)
    )
    status, _, asset = answer(client)
    assert status == 200, asset
    assert (asset["public_id"], asset["format"], asset["bytes"]) == ("streamed", "png", len(PNG))
    assert (asset["width"], asset["height"], asset["tags"]) == (64, 32, ["node", "chunked"])
    assert handled(emu) == [("POST", "image/upload", 200)]


def test_a_real_client_streaming_chunks(emu: EmulatorServer) -> None:
    """urllib3 (the HTTP client under pycloudinary) streaming a generated body chunked, on a
    pooled keep-alive connection, as a streaming SDK does."""
    pool = urllib3.PoolManager()
    headers = {"Authorization": AUTH, "Content-Type": FORM}
    for name in ("streamed-a", "streamed-b"):
        pieces = iter([b"name=", name.encode(), b"&folder=", b"gen", b"erated"])
        response = pool.request("POST", f"{emu.url}{PRESETS}", body=pieces, headers=headers, chunked=True)
        assert response.status == 200 and json.loads(response.data)["name"] == name
    presets = emu.state(CLOUD).upload_presets
    assert [p["settings"]["folder"] for p in presets.values()] == ["generated", "generated"]
    pool.clear()
