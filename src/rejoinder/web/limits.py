"""Request body limits, enforced before anything parses a body, for every content type.

A body announced larger than the limit (``Content-Length``) is answered 413 at once, without
reading it; a body without a length (chunked) is counted while it is read, and the read that
crosses the limit raises ``BodyTooLarge``, which the error renderer answers with 413 and
``Connection: close``. Nothing is buffered beyond the limit, so a 200 MB body costs no memory.

The Akismet endpoints take ``max_body_bytes`` (their clients send long comments with their
context); everything else — the JSON API, the comment forms, the admin and privacy pages —
``max_api_body_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rejoinder.errors import ErrorCode
from rejoinder.inputs import parse_id
from rejoinder.web.handlers import AKISMET_PREFIXES, app_path, render

CLOSE = {"Connection": "close"}


class BodyTooLarge(HTTPException):
    """Raised by ``receive`` when the body read so far is over the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit), headers=dict(CLOSE))


def too_large_message(limit: int) -> str:
    return f"The request body is over {limit} bytes."


@dataclass(frozen=True, slots=True)
class BodyLimits:
    akismet: int
    other: int

    def for_path(self, path: str) -> int:
        return self.akismet if path.startswith(AKISMET_PREFIXES) else self.other


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(app_path(scope))
        declared = parse_id(Headers(scope=scope).get("content-length", ""))
        if declared is not None and declared > limit:
            request = Request(scope, receive)
            response = render(
                request, 413, ErrorCode.TOO_LARGE.value, too_large_message(limit), dict(CLOSE)
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted
