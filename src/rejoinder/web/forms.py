"""Lenient, cheap parsing of Akismet form bodies (akismet-api.md §8.6–8.8).

Works on bytes: split on ``&`` and ``=``, percent-decode to bytes, then decode with the charset
from the Content-Type header or the ``blog_charset`` field (ISO-8859-1 included), falling back
to UTF-8 with replacement characters. PHP array keys (``a[]``, ``a[0]``) are folded into one
comma-separated value. NUL bytes are dropped. Never raises on any input.
"""

from __future__ import annotations

import codecs
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

from rejoinder.core.inputs import parse_id
from rejoinder.errors import PayloadTooLarge

FALLBACK_CHARSET = "utf-8"


def charset_from_content_type(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def _valid_charset(name: str | None) -> str:
    if not name:
        return FALLBACK_CHARSET
    try:
        return codecs.lookup(name).name
    except LookupError:
        return FALLBACK_CHARSET


def split_pairs(body: bytes, max_fields: int) -> list[tuple[bytes, bytes]]:
    """Percent-decoded (name, value) byte pairs, at most ``max_fields`` of them."""
    pairs: list[tuple[bytes, bytes]] = []
    for chunk in body.split(b"&", max_fields)[:max_fields]:
        if not chunk:
            continue
        raw_name, _, raw_value = chunk.partition(b"=")
        name = _unquote(raw_name)
        if name:
            pairs.append((name.strip(), _unquote(raw_value)))
    return pairs


def _unquote(raw: bytes) -> bytes:
    """Form-decode one name or value; plain ones (most names, many values) skip the work."""
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
    return raw


def _base_name(name: str) -> tuple[str, bool]:
    """``comment_context[0]`` → (``comment_context``, True)."""
    bracket = name.find("[")
    if bracket > 0 and name.endswith("]"):
        return name[:bracket], True
    return name, False


def decode_fields(pairs: list[tuple[bytes, bytes]], header_charset: str | None) -> dict[str, str]:
    charset = header_charset
    if charset is None:
        for raw_name, raw_value in pairs:
            if raw_name == b"blog_charset":
                charset = raw_value.decode("ascii", "replace").strip().lower()
    codec = _valid_charset(charset)
    fields: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    for raw_name, raw_value in pairs:
        name = raw_name.decode(codec, "replace")
        value = raw_value.decode(codec, "replace")
        base, is_array = _base_name(name)
        if is_array:
            arrays.setdefault(base, []).append(value)
        else:
            fields[name] = value
    for base, values in arrays.items():
        fields.setdefault(base, ", ".join(v for v in values if v))
    return fields


def parse_form_bytes(body: bytes, content_type: str, max_fields: int) -> dict[str, str]:
    header_charset = charset_from_content_type(content_type)
    return decode_fields(split_pairs(body, max_fields), header_charset)


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, refusing one over ``limit`` bytes with 413 before reading it all."""
    declared = parse_id(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"request body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def request_fields(request: Request, limit: int, max_fields: int) -> dict[str, str]:
    """Query string and form body merged (body wins), for any method."""
    raw_query: bytes = request.scope.get("query_string", b"")
    query = parse_form_bytes(raw_query, "", max_fields) if raw_query else {}
    body = await read_body(request, limit) if request.method == "POST" else b""
    content_type = request.headers.get("content-type", "")
    if body and "json" not in content_type.lower() and not body.lstrip().startswith((b"{", b"[")):
        query.update(parse_form_bytes(body, content_type, max_fields))
    return query
