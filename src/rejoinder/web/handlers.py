"""The only place errors become responses. Nothing escapes as a bare 500 page."""

from __future__ import annotations

import logging

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rejoinder.errors import (
    ErrorCode,
    PayloadTooLarge,
    RateLimited,
    RejoinderError,
    StorageUnavailable,
)
from rejoinder.web.params import BAD_ID
from rejoinder.web.security import SECURITY_HEADERS

log = logging.getLogger(__name__)
AKISMET_PREFIXES = ("/1.1/", "/1.2/")
PAGE_PREFIXES = ("/t/", "/demo", "/privacy", "/admin", "/notify/")
TITLES = {400: "Bad request", 401: "Sign in", 403: "Not allowed", 404: "Not found", 408: "Too slow",
          410: "This link has expired", 422: "Please check your input", 429: "Slow down",
          503: "Try again soon"}  # fmt: skip


def app_path(scope: Scope) -> str:
    """The path the routes see: without the ``root_path`` a proxy mounts the app under."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _app_path(request: Request) -> str:
    return app_path(request.scope)


def _is_akismet(request: Request) -> bool:
    path = _app_path(request)
    return path.startswith(AKISMET_PREFIXES) or path in ("/1.1", "/1.2")


def render(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_akismet(request):
        hdrs = dict(headers or {})
        if status < 500 and status not in (408, 413):
            hdrs["X-akismet-debug-help"] = message
            return PlainTextResponse("invalid", status_code=200, headers=hdrs)
        return PlainTextResponse(message, status_code=status, headers=hdrs)
    if _app_path(request).startswith(PAGE_PREFIXES):
        return _html_error(status, message, headers)
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def _html_error(status: int, message: str, headers: dict[str, str] | None) -> Response:
    from rejoinder.web.rendering import html, templates

    body = templates.get_template("error.html").render(
        {"lang": "en", "status": status, "title": TITLES.get(status, "Error"), "message": message}
    )
    response = html(body, status=status, private=True, noindex=True)
    response.headers.update(headers or {})
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's body/query validation, in our error shape with one clear sentence."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return render(request, 400, ErrorCode.BAD_REQUEST.value, "The body is not valid JSON.")
    where = ".".join(
        str(p) for p in first.get("loc", ()) if p not in ("body", "query", "header", "path")
    )
    message = (
        f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
    )
    if first.get("type") == BAD_ID:  # the one rule for ids (web/params.py): a bad request
        return render(request, 400, ErrorCode.BAD_REQUEST.value, message)
    return render(request, 422, ErrorCode.VALIDATION.value, message)


async def rejoinder_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RejoinderError)
    headers: dict[str, str] = {}
    if isinstance(exc, StorageUnavailable | RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, PayloadTooLarge):
        headers["Connection"] = "close"
    return render(request, exc.status, exc.code.value, exc.message, headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: ErrorCode.NOT_FOUND, 408: ErrorCode.TOO_SLOW, 413: ErrorCode.TOO_LARGE}.get(
        exc.status_code, ErrorCode.BAD_REQUEST
    )
    return render(request, exc.status_code, code.value, str(exc.detail), dict(exc.headers or {}))


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection before its body arrived: nobody is left to answer."""
    log.debug("client disconnected during %s", request.url.path.encode("unicode_escape"))
    return Response(status_code=400)


async def unexpected_error(request: Request, exc: BaseException) -> Response:
    """A bug: logged once, with its traceback, and answered 500 in the usual shape."""
    path = request.scope.get("path", "")
    log.error(
        "unexpected error on %s",
        path.encode("unicode_escape").decode("ascii"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return render(request, 500, ErrorCode.INTERNAL.value, "internal error")


async def outside_error(request: Request, exc: Exception) -> Response:
    """Starlette's outermost handler, for a failure in a middleware outside ``LastResort``
    (none is expected): still the usual shape and the security headers."""
    response = await unexpected_error(request, exc)
    response.headers.update(SECURITY_HEADERS)
    return response


class LastResort:
    """Inside the security-headers middleware: an exception no handler took becomes one logged
    500 in the usual shape. It is not re-raised, so the server does not log the traceback a
    second time and the answer still passes through ``SecurityHeadersMiddleware``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            response = await unexpected_error(Request(scope, receive), exc)
            if not started:  # else the server closes the half-sent answer
                await response(scope, receive, send)


HANDLERS = {
    RejoinderError: rejoinder_error,
    RequestValidationError: validation_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    Exception: outside_error,
}
