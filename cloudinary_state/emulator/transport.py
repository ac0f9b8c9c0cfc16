"""Turn raw HTTP pieces into a `Request`: path, query and body in every encoding the SDKs use.

Reference §1.2: JSON, urlencoded and multipart bodies; lists as `k[]=` or `k[0]=`; JSON `null`
means absent; DELETE parameters may come in the body or the query string.
"""

from __future__ import annotations

import json
import re
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, unquote

from cloudinary_state.emulator.routing import ApiError

_LIST_KEY = re.compile(r"(?P<base>.+?)\[(?P<index>\d*)\]")
_PATH = re.compile(r"/v1_1/(?P<cloud>[^/]+)/?(?P<rest>.*)")


def split_path(raw_path: str) -> tuple[str, str]:
    """`/v1_1/<cloud>/<rest>` (slashes collapsed, percent-decoded) -> (cloud, rest)."""
    path = re.sub(r"/{2,}", "/", unquote(raw_path))
    match = _PATH.fullmatch(path)
    if not match:
        raise ApiError(404, f"Unknown path {raw_path}")
    return match["cloud"], match["rest"].rstrip("/")


def fold_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form pairs -> params: `k[]`/`k[0]` build lists (in index order), plain keys keep the last value."""
    params: dict[str, Any] = {}
    indexed: dict[str, list[tuple[int, Any]]] = {}
    for key, value in pairs:
        match = _LIST_KEY.fullmatch(key)
        if match is None:
            params[key] = value
        elif match["index"] == "":
            indexed.setdefault(match["base"], []).append((len(indexed.get(match["base"], [])), value))
        else:
            indexed.setdefault(match["base"], []).append((int(match["index"]), value))
    for base, items in indexed.items():
        params[base] = [value for _, value in sorted(items, key=lambda item: item[0])]
    return params


def parse_query(query: str) -> dict[str, Any]:
    return fold_pairs(parse_qsl(query, keep_blank_values=True))


Parsed = tuple[dict[str, Any], Any, dict[str, bytes], dict[str, str]]


def parse_body(content_type: str, body: bytes) -> Parsed:
    """-> (params, parsed JSON body or None, multipart files, the file names the parts carry)."""
    if not body.strip():
        return {}, None, {}, {}
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ApiError(400, f"Invalid JSON body: {e}") from e
        if isinstance(parsed, dict):
            return {k: v for k, v in parsed.items() if v is not None}, parsed, {}, {}
        return {}, parsed, {}, {}
    if media_type == "multipart/form-data":
        return _parse_multipart(content_type, body)
    # urlencoded, and the default for anything else that carries form data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(400, f"Invalid form body: {e}") from e
    return fold_pairs(parse_qsl(text, keep_blank_values=True)), None, {}, {}


def _parse_multipart(content_type: str, body: bytes) -> Parsed:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ApiError(400, "Malformed multipart body")
    pairs: list[tuple[str, Any]] = []
    files: dict[str, bytes] = {}
    filenames: dict[str, str] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = data
            filenames[name] = filename
        else:
            charset = part.get_content_charset() or "utf-8"
            pairs.append((name, data.decode(charset, errors="replace")))
    return fold_pairs(pairs), None, files, filenames
